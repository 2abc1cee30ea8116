"""A chunk's pieces: its bullet points and sentences, alone and in neighbouring pairs, each under the title."""

from apps.lectures.pipeline import pieces
from apps.lectures.pipeline.pieces import piece_texts, units


def test_wrapped_lines_join_into_one_bullet_and_each_bullet_is_a_unit():
    text = (
        "Mnemonic Variable Names\n"
        "• Since we programmers are given a choice in how we choose our\n"
        "variable names, there is a bit of “best practice”\n"
        "• We name variables to help us remember what we intend to store\n"
        "in them"
    )
    assert units("Mnemonic Variable Names", text) == [
        "• Since we programmers are given a choice in how we choose our variable names, there is a bit of "
        "“best practice”",
        "• We name variables to help us remember what we intend to store in them",
    ]


def test_a_sentence_end_closes_a_unit_and_long_running_text_is_cut():
    assert units("", "You cannot use reserved words.\nFalse await else") == [
        "You cannot use reserved words.",
        "False await else",
    ]
    code = "\n".join(f"x{i} = {i} + 1 + 2 + 3 + 4 + 5 + 6" for i in range(12))
    assert all(len(unit.split()) <= pieces.UNIT_MAX_WORDS + 15 for unit in units("", code))
    assert len(units("", code)) > 1


def test_pieces_are_units_and_pairs_under_the_title():
    text = "Reserved Words\nYou cannot use reserved words as variable names.\nFalse await else import pass"
    assert piece_texts("Reserved Words", text) == [
        "Reserved Words\nYou cannot use reserved words as variable names.",
        "Reserved Words\nFalse await else import pass",
        "Reserved Words\nYou cannot use reserved words as variable names. False await else import pass",
    ]


def test_a_single_unit_chunk_has_no_pieces_and_long_chunks_are_bounded():
    assert piece_texts("User Input", "User Input\nThe input() function returns a string") == []
    assert piece_texts("", "") == []
    many = "\n".join(f"• point number {i}" for i in range(40))
    assert len(piece_texts("Points", many)) == pieces.MAX_PIECES
