"""Sequence models: the Bahdanau aligner and the slot translator."""

from __future__ import annotations

import torch
from torch import nn

__all__ = ["BahdanauAligner", "SlotTranslator"]


class BahdanauAligner(nn.Module):
    """Encoder annotations h_j and additive alignment a_ij = softmax_j(v^T tanh(W s_i + U h_j)).

    ``encoder``: "bigru" (Bahdanau et al. 2015: h_j = [forward; backward] GRU states, each
    depending on the whole source sentence), "gru" (forward only: h_j sees x_1..x_j) or
    "embedding" (h_j a function of x_j alone: a context-free encoder).
    """

    def __init__(self, vocab: int, emb: int, hidden: int, attn: int, dec: int, encoder: str = "bigru"):
        super().__init__()
        self.encoder_kind = encoder
        self.embed = nn.Embedding(vocab, emb)
        if encoder == "bigru":
            self.rnn = nn.GRU(emb, hidden, batch_first=True, bidirectional=True)
        elif encoder == "gru":
            self.rnn = nn.GRU(emb, 2 * hidden, batch_first=True)
        elif encoder == "embedding":
            self.rnn = nn.Linear(emb, 2 * hidden)
        else:
            raise ValueError(f"encoder must be 'bigru', 'gru' or 'embedding', got {encoder!r}")
        self.W = nn.Linear(dec, attn, bias=False)
        self.U = nn.Linear(2 * hidden, attn, bias=False)
        self.v = nn.Linear(attn, 1, bias=False)
        self.R = nn.Linear(dec + 2 * hidden, vocab)   # readout p(y_i | s_i, c_i)

    def annotations(self, x):
        """(B, T_x) token ids -> (B, T_x, 2*hidden) annotations h_j."""
        e = self.embed(x)
        if self.encoder_kind == "embedding":
            return torch.tanh(self.rnn(e))
        return self.rnn(e)[0]

    def align(self, s, h, *, scale: float = 1.0, dim: int = -1):
        """Decoder states s (B, T_y, dec), annotations h (B, T_x, 2H) -> a (B, T_y, T_x):
        row i is a softmax over source positions j (``dim=-2``: over target positions instead)."""
        e = self.v(torch.tanh(self.W(s).unsqueeze(2) + self.U(h).unsqueeze(1))).squeeze(-1)
        return torch.softmax(scale * e, dim=dim)

    def readout(self, s, c, *, read_state: bool = True):
        """Output distribution over the target vocabulary from decoder state s and context c
        (``read_state=False``: from c alone)."""
        s = s if read_state else torch.zeros_like(s)
        return torch.softmax(self.R(torch.cat([s, c], dim=-1)), dim=-1)

    @staticmethod
    def context(a, h):
        """c_i = sum_j a_ij h_j."""
        return a @ h


class SlotTranslator(nn.Module):
    """Source tokens -> T_y target tokens through additive attention (Bahdanau-style scoring).

    h_j = tok[x_j] + pos[j] (position-aware annotations, no RNN: which source words a slot
    reads is then visible in its attention row alone); slot i has a learned decoder state s_i;
    a_i = softmax_j v^T tanh(W s_i + U h_j); logits_i = MLP([c_i; s_i]) with c_i = sum_j a_ij h_j.
    """

    def __init__(self, vocab: int, t_x: int, t_y: int, emb: int, attn: int, hidden: int):
        super().__init__()
        self.tok = nn.Embedding(vocab, emb)
        self.pos = nn.Parameter(torch.randn(t_x, emb))
        self.s = nn.Parameter(torch.randn(t_y, emb))
        self.W = nn.Linear(emb, attn, bias=False)
        self.U = nn.Linear(emb, attn, bias=False)
        self.v = nn.Linear(attn, 1, bias=False)
        self.out = nn.Sequential(nn.Linear(2 * emb, hidden), nn.ReLU(), nn.Linear(hidden, vocab))

    def attention(self, x):
        """(N, T_x) ids -> (a (N, T_y, T_x), h (N, T_x, emb))."""
        h = self.tok(x) + self.pos
        e = self.v(torch.tanh(self.W(self.s).unsqueeze(1) + self.U(h).unsqueeze(-3))).squeeze(-1)
        return torch.softmax(e, dim=-1), h

    def forward(self, x):
        a, h = self.attention(x)
        c = a @ h
        s = self.s.expand(c.shape[:-1] + (self.s.shape[-1],))
        return self.out(torch.cat([c, s], dim=-1))
