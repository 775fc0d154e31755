"""The NumPy reference: float64, gradients derived by hand, no autograd.

Each module holds one part of the course's derivations:

activations  g and f, with g' and g''
losses       squared error and cross-entropy (from the logits), with derivatives
penalties    weight decay, KL sparsity, contractive Jacobian norm, elastic net, with gradients
model        forward pass, objective, and the chain-rule gradients
noise        masking and Gaussian corruption
pca          normalisation, PCA, the optimal linear autoencoder, max-activating inputs
training     plain minibatch gradient descent, as in the lecture's pseudo-code
deep         the L-layer autoencoder and the general back-propagation recursion
"""

from .activations import DECODERS, ENCODERS, activate, derivative, sigmoid
from .config import LOSSES, Config
from .deep import deep_forward, deep_loss_and_gradients, deep_objective, init_deep_params
from .model import Forward, forward, loss_and_gradients, objective
from .noise import gaussian_noise, masking_noise
from .params import init_params
from .pca import linear_autoencoder_solution, max_activating_inputs, normalize, pca
from .penalties import (contractive_penalty, elastic_net_gradient, elastic_net_penalty,
                        jacobian_norms, sparsity_penalty)
from .training import gradient_descent

__all__ = [
    "Config", "ENCODERS", "DECODERS", "LOSSES", "Forward",
    "init_params", "forward", "objective", "loss_and_gradients",
    "sparsity_penalty", "contractive_penalty", "jacobian_norms",
    "elastic_net_penalty", "elastic_net_gradient",
    "masking_noise", "gaussian_noise",
    "normalize", "pca", "linear_autoencoder_solution", "max_activating_inputs",
    "activate", "derivative", "sigmoid", "gradient_descent",
    "init_deep_params", "deep_forward", "deep_objective", "deep_loss_and_gradients",
]
