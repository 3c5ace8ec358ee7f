"""The health screen: questions for light-touch craniosacral work, and which answers flag.

Every "yes" (and an age under 18, which needs a parent's consent) is flagged to Julie:
she decides what it means for the session, perhaps after asking the client's doctor.
The client is never told what an answer means; the form only thanks them.

What established CST and massage intake forms ask, and where the questions come from:
- Contraindications of craniosacral therapy: a recent skull fracture, a bleed in the brain
  or a stroke in the last months, an aneurysm, a recent leak of spinal fluid (lumbar
  puncture), raised pressure in the head: Upledger JE & Vredevoogd JD, "Craniosacral
  Therapy", Eastland Press 1983; Harries RA, "Craniosacral therapy", in Charman RA (ed.),
  "Complementary therapies for physical therapists", Butterworth-Heinemann 2000;
  https://www.craniosacraltherapy-gentlehealing.co.uk/conditionswherenotusecst;
  https://craniolongevity.com/craniosacral-therapy/contraindications-for-craniosacral-therapy/
- Recent head trauma or concussion, blood thinners and bleeding disorders, recent cranial
  or spinal surgery, seizures: https://massageproguide.com/who-should-not-receive-craniosacral-therapy-safety-considerations/
  and the caution about epilepsy in CST practitioners' guidance.
- Massage intake forms' usual health questions (ABMP's and AMTA's sample intake forms):
  pregnancy, recent surgery, high blood pressure, skin conditions, contagious illness.
- A new or changed headache with warning signs, which calls for a doctor before bodywork:
  the SNNOOP10 red flags, Do TP et al., Neurology 2019;92(3):134-144.
"""

from .models import AgeRange, YesNo

# (field, question as the client reads it). The field's verbose name is for admin lists only.
QUESTIONS = [
    ("head_injury", "In the last 6 months, have you had a head or neck injury, whiplash or a concussion?"),
    ("brain_bleed", "Have you ever had an aneurysm, a bleed in the brain or a stroke?"),
    (
        "skull_surgery",
        "In the last year, have you had a skull fracture, brain or spine surgery, a shunt, "
        "or a lumbar puncture (spinal tap)?",
    ),
    (
        "head_pressure",
        "Has a doctor told you of raised pressure in your head (for example intracranial hypertension, "
        "hydrocephalus or a Chiari malformation)?",
    ),
    (
        "new_headache",
        "In the last few weeks, has a headache been new or different for you: sudden and very severe, "
        "with fever, with weakness or numbness, or with changes in your sight or speech?",
    ),
    ("seizures", "Do you have seizures or epilepsy?"),
    ("blood_thinners", "Do you take blood thinners (for example warfarin, apixaban, clopidogrel), or bleed easily?"),
    ("blood_pressure", "Do you have high blood pressure that is not under control?"),
    ("pregnant", "Are you pregnant, or might you be?"),
    ("recent_surgery", "Have you had any other surgery in the last 3 months?"),
    (
        "skin_or_contagious",
        "Right now, do you have a skin condition or wound on your head, face or neck, "
        "or a contagious illness (a cold, flu, COVID)?",
    ),
]
FIELDS = [field for field, _ in QUESTIONS]
QUESTION_TEXT = dict(QUESTIONS)
UNDER_18_NOTE = "Under 18: a parent or guardian must consent too."


def flags(intake):
    """The answers that call for Julie's attention, as (question, answer) pairs, in form order."""
    found = []
    if intake.age_range == AgeRange.UNDER_18:
        found.append(("Age range", UNDER_18_NOTE))
    found += [(QUESTION_TEXT[field], "Yes") for field in FIELDS if getattr(intake, field) == YesNo.YES]
    return found
