"""The About page's words in every language the studio speaks: the page text and the cell diagram.

One `AboutText` per language, with the same fields, so a missing or empty text is a test failure
rather than a blank spot in a meeting. The Thai is written as a Thai analyst would explain LSTMs to
colleagues: Thai sentences, with the usual English term in parentheses the first time it appears.
"""

from __future__ import annotations

from dataclasses import dataclass

from lstm_core.i18n import check_language


@dataclass(frozen=True)
class AboutText:
    """Everything the About page shows in one language.

    `intro` and `details` are Markdown (above and below the diagram); the `diagram_*` texts are
    Plotly annotation text, where `<br>` breaks a line and `<b>` makes bold.
    """

    title: str
    intro: str
    details: str
    button: str
    diagram_cell_state: str
    diagram_forget_gate: str
    diagram_input_gate: str
    diagram_candidate: str
    diagram_output_gate: str
    diagram_inputs: str
    diagram_output: str


_ENGLISH = AboutText(
    title="What is an LSTM?",
    intro="""
A **Long Short-Term Memory** network (LSTM) is a kind of neural network that reads a sequence one
step at a time — for us, one month or one day of a time series — and keeps a *memory* of what it has
seen. After reading the last few steps (the **window**) it says what comes next.

**The memory cell and its three gates.** Inside, an LSTM carries a *cell state*: a line of memory
that runs from step to step. At every step three small "gates" decide what happens to it:

- the **forget gate** decides what to erase ("that spike was a one-off");
- the **input gate** decides what new information to write ("sales are climbing");
- the **output gate** decides what part of the memory to use for today's answer.

Each gate is a number between 0 (closed) and 1 (open) that the network learns from the data.
""",
    details="""
**Why it remembers long patterns.** A plain recurrent network multiplies its signal again and again
as it looks back in time, so the learning signal from far-back steps fades to nothing (the
*vanishing gradient*). The LSTM's cell state is updated by *adding* new content and *scaling* by the
forget gate, so information — and the learning signal — can travel across many steps intact.

**Where it is used.** Sales, demand and stock series; text (before today's transformers it powered
translation and autocomplete); speech recognition; music generation; video and sensor streams.

**What it costs.** Training takes time (minutes rather than the milliseconds of simple methods);
it needs a fair amount of data — a few seasons at least; and its settings (window, size, epochs,
learning rate) need tuning. That is why this studio always scores the LSTM against simple baselines
on data it never saw: sometimes "same as last year" is hard to beat.

### Watch an LSTM learn "the next number"
The classic first example: show the network 0, 1, 2, … 99 and ask it for the next number.
""",
    button="Load the counting example and go to training",
    diagram_cell_state="<b>cell state</b>: the long-term memory line",
    diagram_forget_gate="forget gate<br>σ: what to erase",
    diagram_input_gate="input gate<br>σ: what to write",
    diagram_candidate="candidate<br>tanh: new content",
    diagram_output_gate="output gate<br>σ: what to show",
    diagram_inputs="today's value + yesterday's output",
    diagram_output="output<br>(forecast)",
)

# Thai puts no spaces between words, so bold markers (**) sit next to a space or a bracket:
# CommonMark does not close a `**` that follows ")" and precedes a Thai letter. Thai text is rarely
# set in italics (slanted Thai glyphs read poorly), so terms are bold and stressed words quoted.
_THAI = AboutText(
    title="LSTM คืออะไร",
    intro="""
**LSTM (Long Short-Term Memory)** คือโครงข่ายประสาทเทียมชนิดหนึ่งที่อ่านข้อมูลแบบลำดับทีละขั้น
ซึ่งในงานของเราก็คือทีละเดือนหรือทีละวันของอนุกรมเวลา ระหว่างที่อ่าน มันจะเก็บสิ่งที่เห็นมาแล้วไว้เป็น "ความจำ" ด้วย
เมื่ออ่านข้อมูลช่วงล่าสุดครบตามจำนวนที่กำหนด (เรียกว่า **หน้าต่าง** หรือ window)
ก็จะบอกได้ว่าค่าถัดไปน่าจะเป็นเท่าไร

**เซลล์ความจำและเกตทั้งสาม** ภายใน LSTM มี **สถานะเซลล์ (cell state)**
ซึ่งทำหน้าที่เป็นหน่วยความจำระยะยาวที่ส่งต่อจากขั้นหนึ่งไปยังขั้นถัดไป และในทุกขั้นจะมี "เกต" (gate)
เล็ก ๆ สามตัวคอยตัดสินว่าจะทำอะไรกับความจำนี้

- **เกตลืม (forget gate)** ตัดสินว่าจะลบอะไรทิ้ง ("ยอดที่พุ่งขึ้นคราวนั้นเป็นแค่เหตุการณ์ครั้งเดียว")
- **เกตรับข้อมูล (input gate)** ตัดสินว่าจะจดข้อมูลใหม่อะไรเพิ่มลงไป ("ยอดขายกำลังขยับขึ้น")
- **เกตส่งออก (output gate)** ตัดสินว่าจะดึงความจำส่วนไหนมาใช้เป็นคำตอบของวันนี้

เกตแต่ละตัวเป็นตัวเลขระหว่าง 0 (ปิด) ถึง 1 (เปิด) ซึ่งโครงข่ายเรียนรู้ค่าที่เหมาะสมเองจากข้อมูล
""",
    details="""
**ทำไมจึงจำรูปแบบระยะยาวได้** โครงข่ายประสาทเทียมแบบวนกลับ (recurrent neural network)
ทั่วไปจะคูณสัญญาณซ้ำแล้วซ้ำเล่าทุกครั้งที่ย้อนกลับไปในอดีต สัญญาณการเรียนรู้จากขั้นที่อยู่ไกลออกไปจึงค่อย ๆ
จางลงจนแทบไม่เหลือ เรียกว่า **ปัญหาเกรเดียนต์หายไป (vanishing gradient)** ส่วน LSTM
ปรับสถานะเซลล์ด้วยการ "บวก" ข้อมูลใหม่เข้าไป และ "ปรับขนาด" ตามค่าของเกตลืม
ข้อมูลรวมถึงสัญญาณการเรียนรู้จึงส่งผ่านไปได้หลายขั้นโดยไม่เลือนหายไประหว่างทาง

**นำไปใช้กับงานอะไรบ้าง** ใช้พยากรณ์อนุกรมเวลา เช่น ยอดขาย ความต้องการสินค้า และสินค้าคงคลัง
ใช้กับข้อความ (ก่อนยุคของโมเดล transformer ในปัจจุบัน LSTM
เคยเป็นกลไกหลักของระบบแปลภาษาและการเติมคำอัตโนมัติ)
รวมถึงการรู้จำเสียงพูด การแต่งเพลง และข้อมูลวิดีโอหรือข้อมูลจากเซ็นเซอร์ที่ไหลเข้ามาอย่างต่อเนื่อง

**ต้องแลกกับอะไรบ้าง** การฝึกโมเดลใช้เวลานาน (เป็นหลักนาที ขณะที่วิธีง่าย ๆ ใช้เวลาแค่เสี้ยววินาที)
ต้องมีข้อมูลมากพอสมควร อย่างน้อยควรครอบคลุมหลายฤดูกาล และต้องปรับค่าตั้งต่าง ๆ ให้เหมาะสม
เช่น ขนาดหน้าต่าง ขนาดโมเดล จำนวนรอบการฝึก (epoch) และอัตราการเรียนรู้ (learning rate)
สตูดิโอนี้จึงวัดผล LSTM เทียบกับวิธีพื้นฐานแบบง่าย (baseline) เสมอ
โดยวัดบนข้อมูลที่โมเดลไม่เคยเห็นมาก่อน
เพราะบางครั้งวิธี "ใช้ค่าเดียวกับปีที่แล้ว" ก็เอาชนะได้ยากกว่าที่คิด

### ลองดู LSTM เรียนรู้การทาย "ตัวเลขถัดไป"
ตัวอย่างคลาสสิกสำหรับผู้เริ่มต้น คือป้อนตัวเลข 0, 1, 2, … 99 ให้โครงข่ายดู แล้วให้ทายว่าตัวเลขถัดไปคืออะไร
""",
    button="โหลดตัวอย่างการนับเลข แล้วไปที่หน้าฝึกโมเดล",
    diagram_cell_state="<b>สถานะเซลล์ (cell state)</b>: เส้นทางของหน่วยความจำระยะยาว",
    diagram_forget_gate="เกตลืม<br>(forget gate)<br>σ: เลือกว่าจะลบอะไร",
    diagram_input_gate="เกตรับข้อมูล<br>(input gate)<br>σ: เลือกว่าจะจดอะไร",
    diagram_candidate="ค่าที่เสนอ<br>(candidate)<br>tanh: ข้อมูลใหม่",
    diagram_output_gate="เกตส่งออก<br>(output gate)<br>σ: เลือกว่าจะแสดงอะไร",
    diagram_inputs="ค่าของวันนี้ + ผลลัพธ์ของเมื่อวาน",
    diagram_output="ผลลัพธ์<br>(ค่าพยากรณ์)",
)

ABOUT_TEXTS: dict[str, AboutText] = {"en": _ENGLISH, "th": _THAI}


def about_text(lang: str) -> AboutText:
    """The About page's texts in `lang` ("en" or "th").

    Raises:
        ValueError: if the studio does not speak `lang` (from `check_language`).
    """
    return ABOUT_TEXTS[check_language(lang)]
