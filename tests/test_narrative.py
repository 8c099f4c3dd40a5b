"""The narrative: exact sentences in English and Thai, every number recomputed from the frames."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hand_made_runs import hand_made_run

from lstm_core.i18n import fmt_number, fmt_percent, fmt_period
from lstm_core.narrative import narrative, run_facts

PATTERN = np.array([0, 5, 10, 5, 0, -5, -10, -5, 0, 5, 10, 5], dtype=float)
HISTORY = 100 + np.tile(PATTERN, 8) + 0.5 * np.arange(96)  # 8 years of months, Jan 2020 on
LAST = HISTORY[-12:]


def _totals(run) -> tuple[float, float]:
    return float(run.future["forecast"].sum()), float(run.series.iloc[-12:].sum())


def test_rising_forecast_in_english_and_thai():
    run = hand_made_run(HISTORY, LAST + 10)
    total, previous = _totals(run)
    change = total - previous
    assert change == pytest.approx(120)
    share = change / np.abs(run.series.iloc[-12:]).sum()
    peak = int(run.future["forecast"].idxmax())
    trough = int(run.future["forecast"].idxmin())
    when = run.future["date"]
    en = narrative(run, "en")
    assert en[0] == (
        f"Over the next 12 months the forecast totals {fmt_number(total, 0)}, up "
        f"{fmt_percent(share, 1)} (+{fmt_number(change, 0)}, about +{fmt_number(change / 12, 0)} "
        "per month) on the last 12 months."
    )
    assert en[0] == ("Over the next 12 months the forecast totals 1,877, up 6.8% (+120, about "
                     "+10 per month) on the last 12 months.")
    assert en[1] == (
        f"It peaks in {fmt_period(when[peak], 'MS', 'en')} "
        f"({fmt_number(run.future['forecast'][peak], 0)}) and is lowest in "
        f"{fmt_period(when[trough], 'MS', 'en')} ({fmt_number(run.future['forecast'][trough], 0)})."
    )
    assert en[1] == "It peaks in Nov 2028 (167) and is lowest in Jul 2028 (145)."
    assert en[2] == "The 80% range at the peak (Nov 2028) runs from 162 to 172."
    th = narrative(run, "th")
    assert th[0] == ("ใน 12 เดือนข้างหน้า ค่าพยากรณ์รวมอยู่ที่ 1,877 เพิ่มขึ้น 6.8% จาก 12 เดือนล่าสุด "
                     "(+120 หรือราว +10 ต่อเดือน)")
    assert th[1] == "ค่าพยากรณ์สูงสุดในเดือน พ.ย. 2571 ที่ 167 และต่ำสุดในเดือน ก.ค. 2571 ที่ 145"
    assert th[2] == "ช่วงคาดการณ์ 80% ณ จุดสูงสุด (พ.ย. 2571) อยู่ระหว่าง 162 ถึง 172"


def test_falling_forecast():
    run = hand_made_run(HISTORY, LAST - 10)
    total, previous = _totals(run)
    assert total - previous == pytest.approx(-120)
    assert narrative(run, "en")[0] == (
        "Over the next 12 months the forecast totals 1,637, down 6.8% (−120, about −10 per "
        "month) on the last 12 months."
    )
    assert narrative(run, "th")[0] == (
        "ใน 12 เดือนข้างหน้า ค่าพยากรณ์รวมอยู่ที่ 1,637 ลดลง 6.8% จาก 12 เดือนล่าสุด (−120 หรือราว −10 ต่อเดือน)"
    )


def test_flat_forecast_says_about_the_same():
    run = hand_made_run(HISTORY, LAST + 0.1)
    total, previous = _totals(run)
    assert abs(total - previous) / previous < 0.02
    assert narrative(run, "en")[0] == (
        "Over the next 12 months the forecast totals 1,758, about the same as the last 12 months "
        "(+0.1%)."
    )
    assert narrative(run, "th")[0] == (
        "ใน 12 เดือนข้างหน้า ค่าพยากรณ์รวมอยู่ที่ 1,758 ใกล้เคียงกับ 12 เดือนล่าสุด (+0.1%)"
    )


def _mase(run, column: str) -> float:
    train = run.series.to_numpy()[:-12]
    scale = np.mean(np.abs(train[12:] - train[:-12]))
    return float(np.mean(np.abs(run.holdout["actual"] - run.holdout[column])) / scale)


def test_lstm_better_than_the_best_baseline():
    run = hand_made_run(HISTORY, LAST, holdout_forecast=LAST + 1,
                        baselines={"seasonal_naive": LAST + 2, "naive": LAST + 9})
    lstm, best = _mase(run, "forecast"), _mase(run, "seasonal_naive")
    assert lstm < best
    en = narrative(run, "en")
    assert en[3] == (
        "On the last 12 months, held out from training, the LSTM was more accurate than the best "
        f"baseline, repeating the last season (MASE {lstm:.2f} against {best:.2f})."
    )
    assert en[3].endswith("(MASE 0.17 against 0.33).")
    assert narrative(run, "th")[3] == (
        "ใน 12 เดือนล่าสุดที่กันไว้ทดสอบ (ไม่ได้ใช้ฝึกโมเดล) LSTM แม่นยำกว่าวิธีเปรียบเทียบที่ดีที่สุด "
        f"คือการใช้ค่าของฤดูกาลก่อนซ้ำ (seasonal naive) (MASE {lstm:.2f} เทียบกับ {best:.2f})"
    )


def test_baseline_better_names_the_best_one():
    run = hand_made_run(HISTORY, LAST, holdout_forecast=LAST + 3,
                        baselines={"seasonal_naive": LAST + 2, "ets": LAST + 1})
    lstm, best = _mase(run, "forecast"), _mase(run, "ets")
    en = narrative(run, "en")
    assert en[3] == (
        "On the last 12 months, held out from training, the best baseline, exponential smoothing "
        f"(ETS), was more accurate than the LSTM (MASE {best:.2f} against {lstm:.2f})."
    )
    assert narrative(run, "th")[3] == (
        "ใน 12 เดือนล่าสุดที่กันไว้ทดสอบ (ไม่ได้ใช้ฝึกโมเดล) วิธีเปรียบเทียบที่ดีที่สุด "
        f"คือการปรับเรียบแบบเอ็กซ์โพเนนเชียล (ETS) แม่นยำกว่า LSTM (MASE {best:.2f} เทียบกับ {lstm:.2f})"
    )


def test_short_data_adds_a_caveat():
    run = hand_made_run(HISTORY[:30], HISTORY[18:30] + 1)
    assert narrative(run, "en")[-1] == (
        "The series is short (30 points, 2.5 seasons), so treat the forecast as a rough guide."
    )
    assert narrative(run, "th")[-1] == (
        "ข้อมูลชุดนี้ค่อนข้างสั้น (30 จุด หรือ 2.5 รอบฤดูกาล) จึงควรใช้ค่าพยากรณ์เป็นแนวทางคร่าว ๆ เท่านั้น"
    )
    long_enough = hand_made_run(HISTORY, LAST)
    assert not any("short" in s for s in narrative(long_enough, "en"))


def test_poor_coverage_is_reported_with_counts_from_the_holdout():
    run = hand_made_run(HISTORY, LAST, holdout_forecast=LAST + 1, holdout_band=0.5)
    hold = run.holdout
    inside = int(((hold["actual"] >= hold["lower"]) & (hold["actual"] <= hold["upper"])).sum())
    assert inside == 0
    en = narrative(run, "en")
    assert en[4] == f"The 80% range held {inside} of the 12 held-out values."
    assert en[-1] == ("The range held fewer held-out values than its 80% level implies: the real "
                      "uncertainty is likely wider than it shows.")
    th = narrative(run, "th")
    assert th[4] == "ช่วงคาดการณ์ 80% ครอบคลุมค่าจริง 0 จาก 12 ค่าในช่วงทดสอบ"
    assert th[-1] == ("ช่วงคาดการณ์ครอบคลุมค่าจริงในช่วงทดสอบน้อยกว่าที่ช่วง 80% ควรเป็น "
                      "ความไม่แน่นอนจริงจึงน่าจะกว้างกว่าที่แสดง")
    # 10 of 12 inside an 80 % range is within chance: no caveat.
    good = hand_made_run(HISTORY, LAST, holdout_forecast=np.r_[LAST[:10] + 1, LAST[10:] + 9],
                         holdout_band=5)
    assert run_facts(good).covered == 10
    assert not run_facts(good).coverage_missed


def test_backtest_dropped_correction_and_stop_are_said():
    summary = {"origins": 3, "models": {"lstm": {"mean_mase": 1.2}, "naive": {"mean_mase": 2.0},
                                        "ets": {"mean_mase": 0.95}}}
    run = hand_made_run(HISTORY, LAST, stopped=True, validation={"shrink": 0.0},
                        backtest={"summary": summary})
    en = narrative(run, "en", summary)
    assert ("Over 3 past cut-offs the LSTM's mean MASE was 1.20 against 0.95 for the best "
            "baseline, exponential smoothing (ETS): the baseline was more accurate.") in en
    assert en[-2:] == [
        "On the validation points the network's correction did not help, so the forecast is the "
        "base method the network corrects.",
        "Training was stopped by hand before it finished; the model may be undertrained.",
    ]
    th = narrative(run, "th", summary)
    assert ("เมื่อย้อนทดสอบ 3 จุดตัดในอดีต MASE เฉลี่ยของ LSTM อยู่ที่ 1.20 เทียบกับ 0.95 "
            "ของวิธีเปรียบเทียบที่ดีที่สุด คือการปรับเรียบแบบเอ็กซ์โพเนนเชียล (ETS) "
            "วิธีเปรียบเทียบจึงแม่นยำกว่า") in th
    assert th[-1] == "การฝึกถูกหยุดก่อนครบกำหนด โมเดลจึงอาจยังเรียนรู้ได้ไม่เต็มที่"


def test_rows_without_dates_and_small_values():
    values = np.linspace(1.0, 3.9, 60)
    run = hand_made_run(values, [4.0, 4.2, 4.1], freq=None, season=None, band=0.3)
    en = narrative(run, "en")
    assert en[0] == ("Over the next 3 steps the forecast totals 12.30, up 6.5% (+0.75, about "
                     "+0.25 per step) on the last 3 steps.")
    assert en[1] == "It peaks at step 61 (4.20) and is lowest at step 60 (4.00)."
    assert narrative(run, "th")[1] == "ค่าพยากรณ์สูงสุดในช่วงที่ 61 ที่ 4.20 และต่ำสุดในช่วงที่ 60 ที่ 4.00"


def test_one_step_horizon_has_no_peak_sentence():
    run = hand_made_run(HISTORY, [LAST[0] + 12.0])
    en = narrative(run, "en")
    assert en[0].startswith("Over the next month the forecast is ")
    assert not any(s.startswith("It peaks") for s in en)
    assert en[1] == "The 80% range for Jan 2028 runs from 149 to 159."


def test_unknown_language_is_refused_plainly():
    with pytest.raises(ValueError, match="Unknown language 'fr': choose one of en, th."):
        narrative(hand_made_run(HISTORY, LAST), "fr")


def test_thai_dates_use_the_buddhist_year():
    assert fmt_period(pd.Timestamp("2024-03-01"), "MS", "th") == "มี.ค. 2567"
    assert fmt_period(pd.Timestamp("2024-03-01"), "QS-JAN", "th") == "ไตรมาส 1/2567"
    assert fmt_period(pd.Timestamp("2024-03-05"), "D", "th") == "5 มี.ค. 2567"


def test_coverage_counts_only_held_out_values_that_exist():
    run = hand_made_run(HISTORY, LAST)
    run.holdout.loc[[0, 1, 2], "actual"] = np.nan
    assert narrative(run, "en")[4] == "The 80% range held 9 of the 9 held-out values."


def test_the_backtest_saved_with_a_run_is_told_by_default():
    summary = {"origins": 4, "models": {"lstm": {"mean_mase": 0.8},
                                        "seasonal_naive": {"mean_mase": 1.0}}}
    run = hand_made_run(HISTORY, LAST, backtest={"summary": summary})
    assert ("Over 4 past cut-offs the LSTM's mean MASE was 0.80 against 1.00 for the best "
            "baseline, repeating the last season.") in narrative(run, "en")


def test_business_month_data_is_monthly():
    from lstm_core.i18n import period_kind

    assert [period_kind(f) for f in ("BMS", "BME", "BQS", "BYS", "B", "MS")] == [
        "month", "month", "quarter", "year", "day", "month"]


def test_a_run_with_drivers_says_whether_they_helped():
    run = hand_made_run(HISTORY, LAST, holdout_forecast=LAST + 1,
                        baselines={"seasonal_naive": LAST + 2, "lstm_no_drivers": LAST + 3})
    lstm, plain = _mase(run, "forecast"), _mase(run, "lstm_no_drivers")
    en = narrative(run, "en")
    assert en[3].endswith(f"repeating the last season (MASE {lstm:.2f} against "
                          f"{_mase(run, 'seasonal_naive'):.2f}).")  # not the LSTM without drivers
    assert en[4] == (
        f"With its drivers the LSTM's MASE on the held-out points was {lstm:.2f}, against "
        f"{plain:.2f} for the same LSTM without them: the drivers helped."
    )
    assert narrative(run, "th")[4] == (
        f"เมื่อใช้ตัวขับเคลื่อน (drivers) MASE ของ LSTM ในช่วงทดสอบอยู่ที่ {lstm:.2f} เทียบกับ "
        f"{plain:.2f} ของ LSTM เดียวกันที่ไม่ใช้ตัวขับเคลื่อน: ตัวขับเคลื่อนช่วยให้แม่นยำขึ้น"
    )
    worse = hand_made_run(HISTORY, LAST, holdout_forecast=LAST + 3,
                          baselines={"seasonal_naive": LAST + 2, "lstm_no_drivers": LAST + 1})
    assert narrative(worse, "en")[4].endswith("without them: the drivers did not help.")
