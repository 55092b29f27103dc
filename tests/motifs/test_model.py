"""motifs.model: attention maps, padding, reverse complement."""
import torch

from attnbio.motifs.encode import one_hot
from attnbio.motifs.model import ModelConfig, MotifAttentionModel, _rc_keep_padding


def test_model_attention_maps_and_padding():
    torch.manual_seed(0)
    model = MotifAttentionModel(ModelConfig(d_model=16, n_heads=2, n_layers=2)).eval()
    x, mask, _ = one_hot(["ACGT" * 10, "ACGTACGT"])
    xt, mt = torch.from_numpy(x), torch.from_numpy(mask)
    logits, maps = model(xt, mt, return_attention=True)
    assert logits.shape == (2,) and len(maps) == 2 and maps[0].shape == (2, 2, 10, 10)
    assert torch.allclose(maps[0].sum(-1), torch.ones(2, 2, 10))
    assert float(maps[0][1, :, :, 2:].detach().abs().max()) == 0.0   # no attention to padding tokens
    # the short sequence scores the same whatever padding follows it
    alone = model(xt[1:, :8], mt[1:, :8])
    assert torch.allclose(alone, logits[1:], atol=1e-5)


def test_reverse_complement_keeps_padding_at_the_end():
    x, mask, _ = one_hot(["AACG", "AC"])
    rc = _rc_keep_padding(torch.from_numpy(x), torch.from_numpy(mask)).numpy()
    back = ["".join("ACGT"[i] for i in row.argmax(1)[:m.sum()]) for row, m in zip(rc, mask)]
    assert back == ["CGTT", "GT"] and rc[1, 2:].sum() == 0
