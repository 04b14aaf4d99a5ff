"""A candidate reads the jobs, a posting and the application form in Spanish."""


def test_a_candidate_reads_a_posting_and_the_forms_errors_in_spanish(client, hiring):
    hiring_round = hiring.round(pay_min_cents=5_200_000, pay_max_cents=6_100_000)
    spanish = {"Accept-Language": "es"}
    page = client.get(f"/jobs/{hiring_round.id}", headers=spanish)
    assert page.status_code == 200
    assert "De $52,000 a $61,000 al año" in page.text
    assert "Requisitos mínimos" in page.text
    assert "Autoidentificación voluntaria" in page.text
    sent = client.post(f"/jobs/{hiring_round.id}", data={"email": ""}, headers=spanish)
    assert sent.status_code == 422
    summary = sent.text[sent.text.index("error-summary-heading") :]
    assert "Hay un problema" in summary
    assert "Escriba su nombre." in summary
    assert "Escriba un correo electrónico en el que podamos contactarle." in summary
