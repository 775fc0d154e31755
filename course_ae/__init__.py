"""course_ae: the companion package of the autoencoder course.

Submodules
----------
reference  NumPy, float64, gradients derived by hand (the chapters' formulas).
gradcheck  central finite differences and relative errors.
nn         PyTorch implementation of the same models, on any device.
data       the digits (embedded) and MNIST (IDX files) loaders.

The notation is the book's: a batch ``X`` has shape ``(m, n)``, one example a
row; the encoder ``W`` has shape ``(k, n)``, the decoder ``W_star`` ``(n, k)``.
"""

__version__ = "0.1.0"
