"""Chrome translation files: every language carries the keys of vi.yaml, and breaks are named."""

import pytest

from survey import i18n
from survey.config import ConfigError


@pytest.fixture
def chrome_dir(tmp_path, monkeypatch):
    """An empty translations folder in place of the shipped one, with the cache cleared."""
    monkeypatch.setattr(i18n, "CHROME_DIR", tmp_path)
    i18n.catalogue.cache_clear()
    yield tmp_path
    i18n.catalogue.cache_clear()


def test_shipped_languages_have_the_same_keys():
    texts = i18n.catalogue()
    assert set(texts) >= {"vi", "en"}
    assert {code: set(strings) for code, strings in texts.items()} == {
        code: set(texts["vi"]) for code in texts
    }
    assert i18n.languages(("vi", "en")) == {"vi": "Tiếng Việt", "en": "English"}
    assert i18n.languages(("vi",)) == {"vi": "Tiếng Việt"}


def test_unknown_language_falls_back_to_vietnamese():
    assert i18n.pick_language("rad") == "vi"
    assert i18n.chrome("rad")["next"] == i18n.chrome("vi")["next"] == "Tiếp tục"


def test_a_new_language_is_one_more_file(chrome_dir):
    (chrome_dir / "vi.yaml").write_text("name: Tiếng Việt\nnext: Tiếp tục\n", encoding="utf-8")
    (chrome_dir / "rad.yaml").write_text("name: Klei Êđê\nnext: Nao ti anăp\n", encoding="utf-8")
    assert i18n.pick_language("rad") == "rad"
    assert i18n.languages(("vi", "rad")) == {"rad": "Klei Êđê", "vi": "Tiếng Việt"}


def test_a_missing_key_names_the_file_and_key(chrome_dir):
    (chrome_dir / "vi.yaml").write_text("name: Tiếng Việt\nnext: Tiếp tục\nback: Quay lại\n", encoding="utf-8")
    (chrome_dir / "rad.yaml").write_text("name: Klei Êđê\nnext: Nao ti anăp\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"rad\.yaml: missing back\. Copy these keys from vi\.yaml"):
        i18n.catalogue()


@pytest.mark.parametrize(
    ("content", "expected"),
    [("name: [a, b]\n", "every line must be 'key: text'"), ("name: 'unclosed\n", "cannot be read as UTF-8 YAML")],
)
def test_a_malformed_file_is_named(chrome_dir, content, expected):
    (chrome_dir / "vi.yaml").write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match=expected):
        i18n.catalogue()
