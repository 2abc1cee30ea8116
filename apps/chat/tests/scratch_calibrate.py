import pytest
from apps.lectures import retrieval
from apps.lectures.models import Chunk
from apps.lectures.tests.helpers import ingest_now, upload_file

pytestmark = [pytest.mark.django_db(transaction=True, databases="__all__")]

ON = [
 "What is operator precedence?", "Which operator has the highest precedence?", "How does the remainder operator work?",
 "What does the modulus operator % do?", "How do I convert a string to an integer?", "What is floor division?",
 "What are reserved words?", "What are the rules for variable names?", "How do I read input from the user?",
 "What is a mnemonic variable name?", "What happens when you add an int and a float?", "What is an assignment statement?",
 "How do comments work in Python?", "What does the type function return?",
 "What is XML?", "What is a well-formed XML document?", "How do you create a numpy array?", "What is matplotlib used for?",
 "How are lists different from tuples?", "What is a DTD?",
]
OFF = [
 "What is the capital of France?", "How do I bake sourdough bread?", "Who won the 2018 football world cup?",
 "What causes photosynthesis in plants?", "Explain the French revolution", "What is the mitochondria?",
 "How do I change a car tyre?", "What is the GDP of Japan?", "Describe the plot of Hamlet",
 "What is quantum entanglement?", "How tall is Mount Everest?", "What is the best pizza topping?",
 "How does the immune system fight viruses?", "What is supply and demand in economics?",
]

def test_calibrate(fixtures_dir, user, subject, capsys):
    lecs = []
    for rel in ["lectures/py4e_Pythonlearn-02-Expressions.pdf", "lectures/scicomp_lectures_tut_2018_5.pdf", "lectures/grobol_xml-slides.pdf"]:
        lecs.append(ingest_now(upload_file(user, subject, fixtures_dir / rel)))
    with capsys.disabled():
        print()
        print("chunks", Chunk.objects.count(), [ (c.page, c.content_type, len(c.text)) for c in Chunk.objects.filter(lecture=lecs[0])[:40]])
        for label, qs in (("ON", ON), ("OFF", OFF)):
            for q in qs:
                hits = retrieval.search(user, q, subject_id=subject.pk, k=8)
                best = min((h.distance for h in hits if h.distance is not None), default=None)
                tm = any(h.text_match for h in hits)
                top = [(h.lecture_name[:10], h.page, round(h.distance or 9, 3), h.text_match) for h in hits[:3]]
                print(f"{label} best={best:.3f} strict={tm} {q!r} {top}")
