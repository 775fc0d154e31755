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
an unfinished function (``raise NotImplementedError``), an exception inside your code,
a wrong type, a wrong shape, NaN or inf are all reported as FAIL with a hint. Typical
mistakes are recognised by comparing your answer with the value each mistake would give
(for example a masking noise that rescales by 1/(1 − q), the KL arguments swapped, a
missing factor 2, a sum over the batch where the course takes a mean).

The shapes follow the book: a batch ``X`` is (m, n), one example a row; ``W`` is (k, n),
``W_star`` (n, k). In a notebook, assign the result so that only the message shows (a
trailing ``;`` would not silence it under nbval, which runs cells without history)::

    from course_ae import checks
    _ = checks.check_masking_noise(masking_noise)

One module per chapter holds its checks (``intro``, ``pca``, ``regularization``,
``denoising``, ``sparse``, ``contractive``, ``capstone``); ``_core`` holds what they
share: calling the student's code safely, reading its result, comparing, fixed inputs.
"""

from __future__ import annotations

from .capstone import CAPSTONE_SETTINGS, CAPSTONE_VARIANTS, check_capstone
from .contractive import check_contractive_penalty, check_numerical_jacobian
from .denoising import (check_denoising_objective, check_gaussian_noise, check_masking_noise,
                        check_max_activating_input)
from .intro import (check_cross_entropy, check_decoder_gradients, check_encoder_gradients,
                    check_forward, check_squared_error)
from .pca import check_linear_autoencoder, check_normalize, check_pca
from .regularization import check_tied_gradient, check_weight_decay
from .sparse import check_kl_gradient, check_kl_gradient_h, check_kl_penalty

__all__ = [
    "check_forward", "check_squared_error", "check_cross_entropy",
    "check_decoder_gradients", "check_encoder_gradients",
    "check_normalize", "check_pca", "check_linear_autoencoder",
    "check_weight_decay", "check_tied_gradient",
    "check_masking_noise", "check_gaussian_noise", "check_denoising_objective",
    "check_max_activating_input",
    "check_kl_penalty", "check_kl_gradient", "check_kl_gradient_h",
    "check_contractive_penalty", "check_numerical_jacobian",
    "check_capstone", "CAPSTONE_VARIANTS", "CAPSTONE_SETTINGS",
]
