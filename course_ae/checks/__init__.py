"""Checks for the exercise notebooks: each one runs your function and says PASS or FAIL.

Every check takes the function you wrote, calls it on fixed inputs (fixed seeds), and
compares the result with :mod:`course_ae.reference`, the package's independent NumPy
implementation. It prints one of

    PASS: <task> — <what was verified>

    FAIL: <task>
      expected: <what the reference gives>
      got: <what your function gave>
      hint: <the likely mistake, named when it is a typical one>

and returns ``True`` or ``False``. A check never raises and never shows a traceback:
an unfinished function (``raise NotImplementedError``), an exception inside your code
(even ``sys.exit()``/``SystemExit`` or a ``KeyboardInterrupt`` it raises itself), a wrong
type, a ragged list, complex numbers, an object that cannot be read as numbers, a wrong
shape, NaN or inf are all reported as FAIL with a hint. The one exception is a real
interrupt (Ctrl-C, the notebook's stop button): the check prints FAIL and lets it go on.

Typical mistakes are recognised by comparing your answer with the value each mistake
would give (a masking noise that rescales by 1/(1 − q), the KL arguments swapped, σ'
computed as σ(h)(1 − σ(h)) from the output h, a tied weight's use counted twice, forward
differences, uniform noise where Gaussian noise belongs). A wrong constant factor is
named only when the factor is one the task makes likely (2, 1/2, m, 1/m, n, k, m/n, …);
any other wrong number gets the task's own hint, and an all-zero answer is called that.
An exception in your code gets the hint its check wrote for that task (a broadcasting
error in ``max_activating_input`` is not told what ``forward`` would be told).

The shapes follow the book: a batch ``X`` is (m, n), one example a row; ``W`` is (k, n),
``W_star`` (n, k). In a notebook, assign the result so that only the message shows (a
trailing ``;`` would not silence it under nbval, which runs cells without history)::

    from course_ae import checks
    _ = checks.check_masking_noise(masking_noise)

One module per chapter holds its checks (``intro``, ``pca``, ``regularization``,
``denoising``, ``sparse``, ``contractive``, ``capstone``); ``_core`` holds what they
share: calling the student's code safely, reading its result, comparing, fixed inputs.
``tests/test_check_mistakes.py`` holds the table of wrong answers every check is held to.
"""

from __future__ import annotations

from .capstone import CAPSTONE_SETTINGS, CAPSTONE_VARIANTS, check_capstone
from .contractive import check_contractive_penalty, check_numerical_jacobian
from .denoising import (check_denoising_objective, check_gaussian_noise, check_masking_noise,
                        check_max_activating_input)
from .intro import (AUTOENCODER_TRAINING_SETTINGS, check_autoencoder_training, check_cross_entropy,
                    check_decoder_gradients, check_encoder_gradients, check_forward, check_squared_error,
                    check_tanh_gradients)
from .pca import (LINEAR_AE_TRAINING_SETTINGS, check_linear_ae_gradients, check_linear_ae_training,
                  check_linear_autoencoder, check_normalize, check_pca)
from .hints import hint
from .regularization import (TIED_TRAINING_SETTINGS, check_tied_gradient, check_tied_training,
                             check_tied_weight_decay, check_weight_decay)
from .sparse import (SPARSE_TRAINING_SETTINGS, check_kl_gradient, check_kl_gradient_h, check_kl_penalty,
                     check_sparse_gradients, check_sparse_training)
# graded tasks (★★, ★★★) of 7.4, 7.6, 7.7
from .capstone import (COMBINED_PENALTIES, VARIANT_TRAINING_SETTINGS, check_penalty_gradients,
                       check_variant_training)
from .contractive import (CONTRACTIVE_TRAINING_SETTINGS, check_contractive_training,
                          check_tanh_contractive_gradients)
from .denoising import DENOISING_TRAINING_SETTINGS, check_denoising_training, check_expected_masking_loss

__all__ = [
    "check_forward", "check_squared_error", "check_cross_entropy",
    "check_decoder_gradients", "check_encoder_gradients",
    "check_tanh_gradients", "check_autoencoder_training", "AUTOENCODER_TRAINING_SETTINGS",
    "check_normalize", "check_pca", "check_linear_autoencoder",
    "check_linear_ae_gradients", "check_linear_ae_training", "LINEAR_AE_TRAINING_SETTINGS",
    "check_weight_decay", "check_tied_gradient", "check_tied_weight_decay", "check_tied_training",
    "TIED_TRAINING_SETTINGS", "hint",
    "check_masking_noise", "check_gaussian_noise", "check_denoising_objective",
    "check_max_activating_input",
    "check_kl_penalty", "check_kl_gradient", "check_kl_gradient_h", "check_sparse_gradients",
    "check_sparse_training", "SPARSE_TRAINING_SETTINGS",
    "check_contractive_penalty", "check_numerical_jacobian",
    "check_capstone", "CAPSTONE_VARIANTS", "CAPSTONE_SETTINGS",
    # graded tasks (★★, ★★★) of 7.4, 7.6, 7.7
    "check_expected_masking_loss", "check_denoising_training", "DENOISING_TRAINING_SETTINGS",
    "check_tanh_contractive_gradients", "check_contractive_training", "CONTRACTIVE_TRAINING_SETTINGS",
    "check_penalty_gradients", "check_variant_training", "VARIANT_TRAINING_SETTINGS", "COMBINED_PENALTIES",
]
