"""A run explained in plain sentences, in English or Thai, from its own numbers.

`run_facts(run)` computes every number a meeting hears (the change over the horizon, the peak and
trough, the range at the peak, how the LSTM did on the holdout and in the backtest against the best
baseline, and which caveats apply); `narrative(run, lang)` writes them as sentences. Nothing in a
sentence is typed by hand: tests recompute each number from the run's frames.

A run is a `lstm_core.run_record.PresentedRun` (a saved run) or a fresh `ForecastResult`: both
carry the series, settings, holdout and future frames, scores, season, validation and stop flag.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from lstm_core.i18n import (
    check_language,
    fmt_number,
    fmt_percent,
    fmt_period,
    fmt_signed,
    period_kind,
    period_word,
    series_freq,
)
from lstm_core.scoreboard import BASELINES, NO_DRIVERS, baseline_words, best_baseline

# Below this share of the last horizon's total, a change is "about the same".
FLAT_SHARE = 0.02
# A series with fewer seasons (or, without a season, fewer points) than these is called short.
SHORT_SEASONS = 6
SHORT_POINTS = 50
# The interval "missed" when so few actuals fell inside that an interval of the stated level would
# hold that few less than 5 % of the time (binomial lower tail).
MISS_TAIL = 0.05
# Scores within this relative difference are "the same".
TIE_SHARE = 0.005


@dataclass(frozen=True)
class BacktestFacts:
    """A backtest's headline: the LSTM's mean MASE beside the best baseline's."""

    origins: int
    lstm: float
    best: str
    best_value: float


@dataclass(frozen=True)
class Facts:
    """Every number the narrative states, computed from one run.

    Times are the run's own index values (timestamps, or step numbers without dates).
    """

    freq: str | None
    horizon: int
    level: float
    n_points: int
    season: int | None
    forecast_total: float
    previous_total: float
    change: float
    change_share: float | None
    peak_when: Any
    peak_value: float
    peak_lower: float
    peak_upper: float
    trough_when: Any
    trough_value: float
    holdout_points: int
    metric: str | None
    lstm_score: float | None
    best: str | None
    best_score: float | None
    covered: int | None
    holdout_level_floor: int | None
    counted: int
    backtest: BacktestFacts | None
    short: bool
    stopped: bool
    correction_dropped: bool
    digits: int = 0
    drivers: tuple[float, float] | None = None  # holdout metric with and without drivers

    @property
    def direction(self) -> str:
        """"up", "down" or "flat" (within `FLAT_SHARE` of the last horizon's total)."""
        if self.change_share is not None:
            if abs(self.change_share) < FLAT_SHARE:
                return "flat"
        elif self.change == 0:
            return "flat"
        return "up" if self.change > 0 else "down"

    def num(self, value: float) -> str:
        """A value of the series, with the run's decimals."""
        return fmt_number(value, self.digits)

    def signed(self, value: float) -> str:
        """A change of the series' values, signed, with the run's decimals."""
        return fmt_signed(value, self.digits)

    @property
    def coverage_missed(self) -> bool:
        """Fewer actuals inside the interval than its level makes plausible."""
        return (self.covered is not None and self.holdout_level_floor is not None
                and self.covered < self.holdout_level_floor)


def value_digits(values: np.ndarray) -> int:
    """Decimals for a series' values in sentences: none from a typical size of 100, else 1 or 2.

    One choice per run, so its totals, changes and ranges are written alike.
    """
    finite = np.abs(values[np.isfinite(values)])
    typical = float(np.median(finite)) if finite.size else 0.0
    return 0 if typical >= 100 else 1 if typical >= 10 else 2


def is_short(n_points: int, season: int | None) -> bool:
    """Whether a series is too short for a confident forecast (the caveat's one rule)."""
    if season and season > 1:
        return n_points < SHORT_SEASONS * season
    return n_points < SHORT_POINTS


def _time_values(frame: pd.DataFrame) -> list[Any]:
    column = "date" if "date" in frame.columns else "step"
    return list(frame[column]) if column in frame.columns else list(range(len(frame)))


def _holdout_scores(scores: Mapping[str, Mapping[str, float | None]]) -> tuple:
    """(metric, LSTM score, best baseline, its score) on MASE, else MAE; Nones when unscored."""
    for metric in ("mase", "mae"):
        lstm = (scores.get("lstm") or {}).get(metric)
        found = best_baseline(scores, metric)
        if lstm is not None and math.isfinite(lstm) and found is not None:
            return (metric, float(lstm), *found)
    return None, None, None, None


def _drivers_scores(
    scores: Mapping[str, Mapping[str, float | None]], metric: str | None
) -> tuple[float, float] | None:
    """The LSTM's holdout score with and without its drivers, when it had drivers."""
    if metric is None or NO_DRIVERS not in scores:
        return None
    mine = (scores.get("lstm") or {}).get(metric)
    theirs = (scores.get(NO_DRIVERS) or {}).get(metric)
    if mine is None or theirs is None or not (math.isfinite(mine) and math.isfinite(theirs)):
        return None
    return float(mine), float(theirs)


def _coverage(
    holdout: pd.DataFrame, level: float
) -> tuple[int | None, int | None, int]:
    needed = {"actual", "lower", "upper"}
    if holdout.empty or not needed <= set(holdout.columns):
        return None, None, 0
    rows = holdout.dropna(subset=["actual", "lower", "upper"])
    if rows.empty:
        return None, None, 0
    inside = int(((rows["actual"] >= rows["lower"]) & (rows["actual"] <= rows["upper"])).sum())
    from scipy.stats import binom

    return inside, int(binom.ppf(MISS_TAIL, len(rows), level)), len(rows)


def _column(frame: pd.DataFrame, name: str) -> np.ndarray:
    if name not in frame.columns:
        return np.full(len(frame), np.nan)
    return frame[name].to_numpy(dtype="float64")


def backtest_facts(summary: Mapping[str, Any] | None) -> BacktestFacts | None:
    """The headline of a backtest summary (`BacktestResult.summary`), or None without one."""
    if not summary:
        return None
    models = summary.get("models") or {}
    lstm = (models.get("lstm") or {}).get("mean_mase")
    baselines = {
        name: values.get("mean_mase") for name, values in models.items()
        if name in BASELINES and values.get("mean_mase") is not None
        and math.isfinite(values["mean_mase"])
    }
    if lstm is None or not math.isfinite(lstm) or not baselines:
        return None
    best = min(baselines, key=baselines.__getitem__)
    return BacktestFacts(int(summary.get("origins") or 0), float(lstm), best,
                         float(baselines[best]))


def run_facts(run: Any, backtest: Mapping[str, Any] | None = None) -> Facts:
    """Compute the narrative's numbers from a run.

    Args:
        run: a `PresentedRun` (series, settings, season_length, holdout, future, scores, stopped,
            validation).
        backtest: a backtest summary (`BacktestResult.summary`) to report beside the holdout.

    Raises:
        ValueError: if the run has no future forecast.
    """
    future = run.future
    if future is None or future.empty or "forecast" not in future.columns:
        raise ValueError("This run has no future forecast to describe.")
    values = future["forecast"].to_numpy(dtype="float64")
    horizon = len(values)
    history = run.series.dropna().to_numpy(dtype="float64")
    recent = history[-horizon:]
    forecast_total = float(np.nansum(values))
    previous_total = float(recent.sum())
    change = forecast_total - previous_total
    scale = float(np.abs(recent).sum())
    times = _time_values(future)
    peak, trough = int(np.nanargmax(values)), int(np.nanargmin(values))
    lower, upper = _column(future, "lower"), _column(future, "upper")
    metric, lstm_score, best, best_score = _holdout_scores(run.scores)
    level = float(run.settings.level)
    covered, floor, counted = _coverage(run.holdout, level)
    freq = series_freq(run.series)
    season = run.season_length
    return Facts(
        freq=freq,
        horizon=horizon,
        level=level,
        n_points=int(len(run.series)),
        season=season,
        forecast_total=forecast_total,
        previous_total=previous_total,
        change=change,
        change_share=change / scale if scale > 0 else None,
        peak_when=times[peak],
        peak_value=float(values[peak]),
        peak_lower=float(lower[peak]),
        peak_upper=float(upper[peak]),
        trough_when=times[trough],
        trough_value=float(values[trough]),
        holdout_points=int(len(run.holdout)),
        metric=metric,
        lstm_score=lstm_score,
        best=best,
        best_score=best_score,
        covered=covered,
        holdout_level_floor=floor,
        counted=counted,
        backtest=backtest_facts(backtest),
        short=is_short(int(len(run.series)), season),
        stopped=bool(run.stopped),
        correction_dropped=(run.validation or {}).get("shrink") == 0.0,
        digits=value_digits(history),
        drivers=_drivers_scores(run.scores, metric),
    )


def narrative(run: Any, lang: str = "en", backtest: Mapping[str, Any] | None = None) -> list[str]:
    """The run's story as sentences: the change, peak and trough, the range, the scores, caveats.

    Args:
        run: a `PresentedRun`.
        lang: "en" or "th".
        backtest: a backtest summary to report (default: the one saved with the run, if any).
    """
    if backtest is None and getattr(run, "backtest", None):
        backtest = (run.backtest or {}).get("summary")
    facts = run_facts(run, backtest)
    return [
        *forecast_sentences(facts, lang),
        *score_sentences(facts, lang),
        *caveat_sentences(facts, lang),
    ]


def forecast_sentences(facts: Facts, lang: str) -> list[str]:
    """What the future holds: the change over the horizon, peak and trough, the peak's range."""
    write = _EN if check_language(lang) == "en" else _TH
    out = [write.change(facts)]
    if facts.horizon > 1 and facts.peak_value != facts.trough_value:
        out.append(write.peak(facts))
    if math.isfinite(facts.peak_lower) and math.isfinite(facts.peak_upper):
        out.append(write.range(facts))
    return out


def score_sentences(facts: Facts, lang: str) -> list[str]:
    """How the LSTM did against the best baseline: on the holdout, and in the backtest."""
    write = _EN if check_language(lang) == "en" else _TH
    out = []
    if facts.best is not None:
        out.append(write.holdout(facts))
    if facts.drivers is not None:
        out.append(write.drivers(facts))
    if facts.covered is not None:
        out.append(write.coverage(facts))
    if facts.backtest is not None:
        out.append(write.backtest(facts.backtest))
    return out


def caveat_sentences(facts: Facts, lang: str) -> list[str]:
    """The caveats that apply: short data, an interval that missed, a dropped correction, Stop."""
    write = _EN if check_language(lang) == "en" else _TH
    out = []
    if facts.short:
        out.append(write.short(facts))
    if facts.coverage_missed:
        out.append(write.missed(facts))
    if facts.correction_dropped:
        out.append(write.dropped())
    if facts.stopped:
        out.append(write.stopped())
    return out


def _winner(lstm: float, best: float) -> str:
    if best == lstm or (best > 0 and abs(lstm - best) / best < TIE_SHARE):
        return "tie"
    return "lstm" if lstm < best else "baseline"


def _share_text(share: float) -> str:
    return fmt_percent(abs(share), 1 if abs(share) < 0.1 else 0)


def _flat_share(f: Facts) -> str:
    return f" ({fmt_signed(f.change_share * 100, 1)}%)" if f.change_share is not None else ""


def _seasons(f: Facts) -> str:
    seasons = f.n_points / f.season
    return fmt_number(seasons, 0 if seasons == int(seasons) else 1)


def _score(value: float) -> str:
    return fmt_number(value, 2)


class _EN:
    @staticmethod
    def _when(when: Any, freq: str | None) -> str:
        kind = period_kind(freq) if isinstance(when, pd.Timestamp) else "step"
        text = fmt_period(when, freq, "en")
        word = "on" if kind in ("day", "week", "hour") else "at" if kind == "step" else "in"
        return f"{word} {text}"

    @staticmethod
    def change(f: Facts) -> str:
        unit = period_word(f.freq, "en", f.horizon)
        span = f"the next {f.horizon} {unit}" if f.horizon > 1 else f"the next {unit}"
        last = f"the last {f.horizon} {unit}" if f.horizon > 1 else f"the last {unit}"
        verb = "totals" if f.horizon > 1 else "is"
        head = f"Over {span} the forecast {verb} {f.num(f.forecast_total)}"
        if f.direction == "flat":
            return f"{head}, about the same as {last}{_flat_share(f)}."
        word = "up" if f.direction == "up" else "down"
        share = f" {_share_text(f.change_share)}" if f.change_share is not None else ""
        per = (f", about {f.signed(f.change / f.horizon)} per {period_word(f.freq, 'en')}"
               if f.horizon > 1 else "")
        return f"{head}, {word}{share} ({f.signed(f.change)}{per}) on {last}."

    @staticmethod
    def peak(f: Facts) -> str:
        peak, trough = f.num(f.peak_value), f.num(f.trough_value)
        return (f"It peaks {_EN._when(f.peak_when, f.freq)} ({peak}) and is lowest "
                f"{_EN._when(f.trough_when, f.freq)} ({trough}).")

    @staticmethod
    def range(f: Facts) -> str:
        where = "at the peak" if f.horizon > 1 else "for"
        when = fmt_period(f.peak_when, f.freq, "en")
        return (f"The {fmt_percent(f.level)} range {where} ({when}) runs from "
                f"{f.num(f.peak_lower)} to {f.num(f.peak_upper)}."
                if f.horizon > 1 else
                f"The {fmt_percent(f.level)} range for {when} runs from "
                f"{f.num(f.peak_lower)} to {f.num(f.peak_upper)}.")

    @staticmethod
    def holdout(f: Facts) -> str:
        unit = period_word(f.freq, "en", f.holdout_points)
        head = f"On the last {f.holdout_points} {unit}, held out from training,"
        name = baseline_words(f.best, "en")
        label = f.metric.upper()
        scores = f"{label} {_score(f.lstm_score)} against {_score(f.best_score)}"
        winner = _winner(f.lstm_score, f.best_score)
        if winner == "tie":
            return (f"{head} the LSTM was as accurate as the best baseline, {name} "
                    f"({label} {_score(f.lstm_score)}).")
        if winner == "lstm":
            return f"{head} the LSTM was more accurate than the best baseline, {name} ({scores})."
        return (f"{head} the best baseline, {name}, was more accurate than the LSTM "
                f"({label} {_score(f.best_score)} against {_score(f.lstm_score)}).")

    @staticmethod
    def drivers(f: Facts) -> str:
        mine, theirs = f.drivers
        label = f.metric.upper()
        verdict = "the drivers helped" if mine < theirs else "the drivers did not help"
        return (f"With its drivers the LSTM's {label} on the held-out points was {_score(mine)}, "
                f"against {_score(theirs)} for the same LSTM without them: {verdict}.")

    @staticmethod
    def coverage(f: Facts) -> str:
        return (f"The {fmt_percent(f.level)} range held {f.covered} of the "
                f"{f.counted} held-out values.")

    @staticmethod
    def backtest(b: BacktestFacts) -> str:
        name = baseline_words(b.best, "en")
        winner = _winner(b.lstm, b.best_value)
        head = f"Over {b.origins} past cut-offs the LSTM's mean MASE was {_score(b.lstm)}"
        if winner == "tie":
            return f"{head}, the same as the best baseline, {name}."
        tail = "" if winner == "lstm" else ": the baseline was more accurate"
        return f"{head} against {_score(b.best_value)} for the best baseline, {name}{tail}."

    @staticmethod
    def short(f: Facts) -> str:
        if f.season and f.season > 1:
            size = f"{f.n_points} points, {_seasons(f)} seasons"
        else:
            size = f"{f.n_points} points"
        return f"The series is short ({size}), so treat the forecast as a rough guide."

    @staticmethod
    def missed(f: Facts) -> str:
        return (f"The range held fewer held-out values than its {fmt_percent(f.level)} level "
                "implies: the real uncertainty is likely wider than it shows.")

    @staticmethod
    def dropped() -> str:
        return ("On the validation points the network's correction did not help, so the forecast "
                "is the base method the network corrects.")

    @staticmethod
    def stopped() -> str:
        return "Training was stopped by hand before it finished; the model may be undertrained."


class _TH:
    @staticmethod
    def _when(when: Any, freq: str | None) -> str:
        kind = period_kind(freq) if isinstance(when, pd.Timestamp) else "step"
        text = fmt_period(when, freq, "th")
        prefix = {"year": "ปี ", "month": "เดือน ", "day": "วันที่ ", "week": "สัปดาห์ของวันที่ ",
                  "hour": "วันที่ "}.get(kind, "")
        return prefix + text

    @staticmethod
    def change(f: Facts) -> str:
        unit = period_word(f.freq, "th", f.horizon)
        span = f" {f.horizon} {unit}ข้างหน้า" if f.horizon > 1 else f"{unit}ถัดไป"
        last = f" {f.horizon} {unit}ล่าสุด" if f.horizon > 1 else f"{unit}ล่าสุด"
        verb = "ค่าพยากรณ์รวม" if f.horizon > 1 else "ค่าพยากรณ์"
        head = f"ใน{span} {verb}อยู่ที่ {f.num(f.forecast_total)}"
        if f.direction == "flat":
            return f"{head} ใกล้เคียงกับ{last}{_flat_share(f)}"
        word = "เพิ่มขึ้น" if f.direction == "up" else "ลดลง"
        share = f" {_share_text(f.change_share)}" if f.change_share is not None else ""
        per = (f" หรือราว {f.signed(f.change / f.horizon)} ต่อ{period_word(f.freq, 'th')}"
               if f.horizon > 1 else "")
        return f"{head} {word}{share} จาก{last} ({f.signed(f.change)}{per})"

    @staticmethod
    def peak(f: Facts) -> str:
        return (f"ค่าพยากรณ์สูงสุดใน{_TH._when(f.peak_when, f.freq)} ที่ {f.num(f.peak_value)} "
                f"และต่ำสุดใน{_TH._when(f.trough_when, f.freq)} ที่ {f.num(f.trough_value)}")

    @staticmethod
    def range(f: Facts) -> str:
        when = fmt_period(f.peak_when, f.freq, "th")
        where = f"ณ จุดสูงสุด ({when})" if f.horizon > 1 else f"ของ {when}"
        return (f"ช่วงคาดการณ์ {fmt_percent(f.level)} {where} อยู่ระหว่าง "
                f"{f.num(f.peak_lower)} ถึง {f.num(f.peak_upper)}")

    @staticmethod
    def holdout(f: Facts) -> str:
        unit = period_word(f.freq, "th", f.holdout_points)
        head = f"ใน {f.holdout_points} {unit}ล่าสุดที่กันไว้ทดสอบ (ไม่ได้ใช้ฝึกโมเดล)"
        name = baseline_words(f.best, "th")
        label = f.metric.upper()
        winner = _winner(f.lstm_score, f.best_score)
        if winner == "tie":
            return (f"{head} LSTM แม่นยำเท่ากับวิธีเปรียบเทียบที่ดีที่สุด คือ{name} "
                    f"({label} {_score(f.lstm_score)})")
        if winner == "lstm":
            return (f"{head} LSTM แม่นยำกว่าวิธีเปรียบเทียบที่ดีที่สุด คือ{name} "
                    f"({label} {_score(f.lstm_score)} เทียบกับ {_score(f.best_score)})")
        return (f"{head} วิธีเปรียบเทียบที่ดีที่สุด คือ{name} แม่นยำกว่า LSTM "
                f"({label} {_score(f.best_score)} เทียบกับ {_score(f.lstm_score)})")

    @staticmethod
    def drivers(f: Facts) -> str:
        mine, theirs = f.drivers
        label = f.metric.upper()
        verdict = ("ตัวขับเคลื่อนช่วยให้แม่นยำขึ้น" if mine < theirs
                   else "ตัวขับเคลื่อนไม่ได้ช่วยให้แม่นยำขึ้น")
        return (f"เมื่อใช้ตัวขับเคลื่อน (drivers) {label} ของ LSTM ในช่วงทดสอบอยู่ที่ {_score(mine)} "
                f"เทียบกับ {_score(theirs)} ของ LSTM เดียวกันที่ไม่ใช้ตัวขับเคลื่อน: {verdict}")

    @staticmethod
    def coverage(f: Facts) -> str:
        return (f"ช่วงคาดการณ์ {fmt_percent(f.level)} ครอบคลุมค่าจริง {f.covered} จาก "
                f"{f.counted} ค่าในช่วงทดสอบ")

    @staticmethod
    def backtest(b: BacktestFacts) -> str:
        name = baseline_words(b.best, "th")
        winner = _winner(b.lstm, b.best_value)
        head = f"เมื่อย้อนทดสอบ {b.origins} จุดตัดในอดีต MASE เฉลี่ยของ LSTM อยู่ที่ {_score(b.lstm)}"
        if winner == "tie":
            return f"{head} เท่ากับวิธีเปรียบเทียบที่ดีที่สุด คือ{name}"
        tail = "" if winner == "lstm" else " วิธีเปรียบเทียบจึงแม่นยำกว่า"
        return (f"{head} เทียบกับ {_score(b.best_value)} ของวิธีเปรียบเทียบที่ดีที่สุด "
                f"คือ{name}{tail}")

    @staticmethod
    def short(f: Facts) -> str:
        if f.season and f.season > 1:
            size = f"{f.n_points} จุด หรือ {_seasons(f)} รอบฤดูกาล"
        else:
            size = f"{f.n_points} จุด"
        return f"ข้อมูลชุดนี้ค่อนข้างสั้น ({size}) จึงควรใช้ค่าพยากรณ์เป็นแนวทางคร่าว ๆ เท่านั้น"

    @staticmethod
    def missed(f: Facts) -> str:
        return (f"ช่วงคาดการณ์ครอบคลุมค่าจริงในช่วงทดสอบน้อยกว่าที่ช่วง {fmt_percent(f.level)} "
                "ควรเป็น ความไม่แน่นอนจริงจึงน่าจะกว้างกว่าที่แสดง")

    @staticmethod
    def dropped() -> str:
        return ("ในข้อมูลตรวจสอบ (validation) การปรับแก้ของโครงข่ายไม่ได้ช่วยให้แม่นยำขึ้น "
                "ค่าพยากรณ์จึงเป็นของวิธีฐานที่โครงข่ายปรับแก้")

    @staticmethod
    def stopped() -> str:
        return "การฝึกถูกหยุดก่อนครบกำหนด โมเดลจึงอาจยังเรียนรู้ได้ไม่เต็มที่"
