"""How the agent sees a face of N camera pixels, as batched tensor maths, plus the camera-side degradations.

Mirrors the TypeScript path bit for bit where it matters (vision/src/image, models/src/eval/face-size.ts):
a 48x48 FER face area-reduced to N x N (areaResample: overlap-weighted box filter, rounded once), resized
bilinearly to 64x64 (resizeBilinear: pixel-centre aligned, clamped, rounded once), unsharp-masked (amount 1,
sigma 1) when N < 48 (SMALL_FACE_SHARPEN), then scaled to (g / 255 - 0.5) * 2. Every resampling step is
separable, so each is a matrix M and the image becomes round(M X M^T).
"""

import math

import numpy as np
import torch
import torch.nn.functional as F

FER_PX = 48
MODEL_PX = 64
SHARPEN_BELOW_PX = 48
SHARPEN_AMOUNT = 1.0
SHARPEN_SIGMA = 1.0


def js_round(x):
    """Math.round: halves go up (torch.round would round them to even)."""
    return torch.floor(x + 0.5)


def area_matrix(n_in, n_out):
    step = n_in / n_out
    m = np.zeros((n_out, n_in), dtype=np.float64)
    for i in range(n_out):
        a, b = i * step, (i + 1) * step
        p = math.floor(a)
        while p < b:
            overlap = min(b, p + 1) - max(a, p)
            if overlap > 1e-9:
                m[i, min(n_in - 1, max(0, p))] += overlap / step
            p += 1
    return torch.from_numpy(m).float()


def bilinear_matrix(n_in, n_out):
    s = n_in / n_out
    m = np.zeros((n_out, n_in), dtype=np.float64)
    for i in range(n_out):
        f = min(max((i + 0.5) * s - 0.5, 0), n_in - 1)
        x0 = math.floor(f)
        x1 = min(x0 + 1, n_in - 1)
        w = f - x0
        m[i, x0] += 1 - w
        m[i, x1] += w
    return torch.from_numpy(m).float()


def gaussian_matrix(n, sigma):
    r = max(1, math.ceil(3 * sigma))
    k = np.exp(-((np.arange(2 * r + 1) - r) ** 2) / (2 * sigma * sigma))
    k /= k.sum()
    m = np.zeros((n, n), dtype=np.float64)
    for i in range(n):
        for j in range(2 * r + 1):
            m[i, min(n - 1, max(0, i - r + j))] += k[j]
    return torch.from_numpy(m).float()


_cache = {}


def _mat(kind, a, b):
    key = (kind, a, b)
    if key not in _cache:
        _cache[key] = {"area": area_matrix, "bilinear": bilinear_matrix}[kind](a, b) if kind != "gauss" else gaussian_matrix(a, b)
    return _cache[key]


def apply_sep(x, m):
    """x: [B,H,W]; returns round(M x M^T) clamped to 8 bits."""
    return js_round(m @ x @ m.T).clamp(0, 255)


def reduce_to(x48, n):
    """[B,48,48] 8-bit values -> [B,n,n]: the face as n x n camera pixels."""
    return x48.clone() if n == FER_PX else apply_sep(x48, _mat("area", FER_PX, n))


def to_model_input(xn, n):
    """[B,n,n] crop -> [B,1,64,64] network input, exactly as EmotionClassifier prepares it."""
    y = xn if n == MODEL_PX else apply_sep(xn, _mat("bilinear", n, MODEL_PX))
    if n < SHARPEN_BELOW_PX and SHARPEN_AMOUNT > 0:
        blur = apply_sep(y, _mat("gauss", MODEL_PX, SHARPEN_SIGMA))
        y = js_round(y + SHARPEN_AMOUNT * (y - blur)).clamp(0, 255)
    return ((y / 255 - 0.5) * 2).unsqueeze(1)


def agent_view(x48, n):
    return to_model_input(reduce_to(x48, n), n)


# --- camera-side degradations (training only) --------------------------------------------------------

_JPEG_LUMA = torch.tensor(
    [
        [16, 11, 10, 16, 24, 40, 51, 61],
        [12, 12, 14, 19, 26, 58, 60, 55],
        [14, 13, 16, 24, 40, 57, 69, 56],
        [14, 17, 22, 29, 51, 87, 80, 62],
        [18, 22, 37, 56, 68, 109, 103, 77],
        [24, 35, 55, 64, 81, 104, 113, 92],
        [49, 64, 78, 87, 103, 121, 120, 101],
        [72, 92, 95, 98, 112, 100, 103, 99],
    ],
    dtype=torch.float32,
)


def _dct_matrix(n=8):
    m = np.zeros((n, n))
    for k in range(n):
        for i in range(n):
            m[k, i] = (math.sqrt(1 / n) if k == 0 else math.sqrt(2 / n)) * math.cos(math.pi * (2 * i + 1) * k / (2 * n))
    return torch.from_numpy(m).float()


_DCT = _dct_matrix()


def jpeg_like(x, quality):
    """Baseline-JPEG luminance quantisation of 8x8 blocks (the artefacts of a compressed camera stream).
    x: [B,n,n] 8-bit values; quality: [B] in 1..100."""
    b, n, _ = x.shape
    pad = (-n) % 8
    y = F.pad(x.unsqueeze(1), (0, pad, 0, pad), mode="replicate").squeeze(1) - 128
    m = y.shape[1] // 8
    blocks = y.reshape(b, m, 8, m, 8).permute(0, 1, 3, 2, 4)  # [B,m,m,8,8]
    coef = _DCT @ blocks @ _DCT.T
    q = quality.float().clamp(1, 100)
    scale = torch.where(q < 50, 5000 / q, 200 - 2 * q).view(b, 1, 1, 1, 1)
    table = ((_JPEG_LUMA * scale + 50) / 100).floor().clamp(min=1)
    coef = torch.round(coef / table) * table
    out = (_DCT.T @ coef @ _DCT).permute(0, 1, 3, 2, 4).reshape(b, m * 8, m * 8) + 128
    return js_round(out[:, :n, :n]).clamp(0, 255)


def gaussian_blur(x, sigmas):
    """Per-image Gaussian blur (lens softness) of [B,H,W] with per-image sigma, replicated edges."""
    out = torch.empty_like(x)
    for i, s in enumerate(sigmas.tolist()):
        m = gaussian_matrix(x.shape[1], s)
        out[i] = m @ x[i] @ m.T
    return out


def random_geometry(x48, gen, rotation=10.0, zoom=0.1, shift=0.08):
    """Random rotation, zoom, shift and mirror about the centre, edges replicated (bilinear)."""
    b = x48.shape[0]
    u = lambda m: (torch.rand(b, generator=gen) * 2 - 1) * m
    theta = u(rotation) * math.pi / 180
    z = 1 + u(zoom)
    flip = torch.where(torch.rand(b, generator=gen) < 0.5, -1.0, 1.0)
    cos, sin = torch.cos(theta) / z, torch.sin(theta) / z
    a = torch.zeros(b, 2, 3)
    a[:, 0, 0] = cos * flip
    a[:, 0, 1] = -sin
    a[:, 1, 0] = sin * flip
    a[:, 1, 1] = cos
    a[:, 0, 2] = u(shift * 2)
    a[:, 1, 2] = u(shift * 2)
    grid = F.affine_grid(a, (b, 1, FER_PX, FER_PX), align_corners=False)
    return F.grid_sample(x48.unsqueeze(1), grid, mode="bilinear", padding_mode="border", align_corners=False).squeeze(1)
