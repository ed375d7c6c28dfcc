"""A BERT encoder in PyTorch that computes exactly what crates/bert-cpu does
(post-norm layers, exact GELU, mean or CLS read-out), loaded from the shipped
all-MiniLM-L6-v2 safetensors (f16, widened to f32), so the reader trained
here runs unchanged in Rust."""

import json
import math
import os

import torch
from safetensors.torch import load_file
from torch import nn


class Layer(nn.Module):
    def __init__(self, h, ff, heads, eps):
        super().__init__()
        self.heads, self.eps = heads, eps
        self.query = nn.Linear(h, h)
        self.key = nn.Linear(h, h)
        self.value = nn.Linear(h, h)
        self.attn_out = nn.Linear(h, h)
        self.attn_norm = nn.LayerNorm(h, eps=eps)
        self.up = nn.Linear(h, ff)
        self.down = nn.Linear(ff, h)
        self.out_norm = nn.LayerNorm(h, eps=eps)

    # Names in the safetensors file, relative to encoder.layer.{i}.
    NAMES = {
        "query": "attention.self.query",
        "key": "attention.self.key",
        "value": "attention.self.value",
        "attn_out": "attention.output.dense",
        "attn_norm": "attention.output.LayerNorm",
        "up": "intermediate.dense",
        "down": "output.dense",
        "out_norm": "output.LayerNorm",
    }

    def forward(self, x, mask):
        b, n, h = x.shape
        d = h // self.heads

        def split(t):
            return t.view(b, n, self.heads, d).transpose(1, 2)

        q, k, v = split(self.query(x)), split(self.key(x)), split(self.value(x))
        scores = q @ k.transpose(-1, -2) / math.sqrt(d)
        scores = scores.masked_fill(~mask[:, None, None, :], float("-inf"))
        context = (scores.softmax(-1) @ v).transpose(1, 2).reshape(b, n, h)
        x = self.attn_norm(x + self.attn_out(context))
        up = nn.functional.gelu(self.up(x))
        return self.out_norm(x + self.down(up))


class Bert(nn.Module):
    def __init__(self, cfg, layers):
        super().__init__()
        h = cfg["hidden_size"]
        self.words = nn.Embedding(cfg["vocab_size"], h)
        self.positions = nn.Embedding(cfg["max_position_embeddings"], h)
        self.types = nn.Embedding(cfg["type_vocab_size"], h)
        self.embed_norm = nn.LayerNorm(h, eps=cfg["layer_norm_eps"])
        self.layers = nn.ModuleList(
            Layer(h, cfg["intermediate_size"], cfg["num_attention_heads"], cfg["layer_norm_eps"])
            for _ in range(layers)
        )

    def embed(self, ids, types):
        pos = torch.arange(ids.shape[1])[None, :]
        return self.embed_norm(self.words(ids) + self.positions(pos) + self.types(types))


def load_base(model_dir, layers):
    """The first `layers` layers of the model in `model_dir`, in f32."""
    cfg = json.load(open(os.path.join(model_dir, "config.json")))
    t = {k: v.float() for k, v in load_file(os.path.join(model_dir, "model.safetensors")).items()}
    bert = Bert(cfg, layers)
    with torch.no_grad():
        bert.words.weight.copy_(t["embeddings.word_embeddings.weight"])
        bert.positions.weight.copy_(t["embeddings.position_embeddings.weight"])
        bert.types.weight.copy_(t["embeddings.token_type_embeddings.weight"])
        bert.embed_norm.weight.copy_(t["embeddings.LayerNorm.weight"])
        bert.embed_norm.bias.copy_(t["embeddings.LayerNorm.bias"])
        for i, layer in enumerate(bert.layers):
            load_layer(layer, t, i)
    return cfg, bert


def load_layer(layer, tensors, i):
    with torch.no_grad():
        for attr, name in Layer.NAMES.items():
            module = getattr(layer, attr)
            module.weight.copy_(tensors[f"encoder.layer.{i}.{name}.weight"])
            module.bias.copy_(tensors[f"encoder.layer.{i}.{name}.bias"])


def layer_tensors(layer, i):
    out = {}
    for attr, name in Layer.NAMES.items():
        module = getattr(layer, attr)
        out[f"encoder.layer.{i}.{name}.weight"] = module.weight.detach().clone()
        out[f"encoder.layer.{i}.{name}.bias"] = module.bias.detach().clone()
    return out
