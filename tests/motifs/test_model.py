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


def test_wider_stem_saves_and_loads(tmp_path):
    """stem_filters widens only the convolution; a card without the field (older weights) still loads."""
    from attnbio.motifs.model import load_model, save_model

    torch.manual_seed(0)
    model = MotifAttentionModel(ModelConfig(d_model=16, n_heads=2, n_layers=1, stem_filters=24)).eval()
    assert model.stem[0].out_channels == 24 and model.mix.out_channels == 16
    save_model(tmp_path / "m.safetensors", model, {"seed": 0})
    back, card = load_model(tmp_path / "m.safetensors")
    assert card["architecture"]["stem_filters"] == 24
    x, mask, _ = one_hot(["ACGTTGCA" * 5])
    xt, mt = torch.from_numpy(x), torch.from_numpy(mask)
    assert torch.equal(back(xt, mt), model(xt, mt))
    plain = MotifAttentionModel(ModelConfig(d_model=16, n_heads=2, n_layers=1, stem_filters=0))
    assert plain.stem[0].out_channels == 16    # 0 means d_model, the layout of weights saved before the field


def test_card_without_stem_filters_loads_the_old_layout(tmp_path):
    """Weights saved before stem_filters existed have a d_model-wide stem; their card lacks the field."""
    from attnbio.io.weights import load_weights, save_weights
    from attnbio.motifs.model import load_model

    old = MotifAttentionModel(ModelConfig(d_model=16, n_heads=2, n_layers=1, stem_filters=0))
    arch = {k: v for k, v in old.cfg.to_dict().items() if k != "stem_filters"}
    save_weights(tmp_path / "old.safetensors", old.state_dict(), {"kind": "attnbio.motifs", "architecture": arch})
    back, _ = load_model(tmp_path / "old.safetensors")
    assert back.stem[0].out_channels == 16 and load_weights(tmp_path / "old.safetensors")[1]["architecture"] == arch
