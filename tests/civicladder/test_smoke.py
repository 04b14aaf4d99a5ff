"""End-to-end smoke: sign in, land on the home page, sign out."""

from tests.civicladder.factories import PASSWORD


def test_sign_in_lands_on_home_and_sign_out_returns_to_sign_in(client, people):
    person, user = people.employee_user()
    response = client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200
    assert f"Welcome, {user.full_name}" in home.text
    assert "Your competencies" in home.text
    out = client.post("/sign-out")
    assert out.status_code == 302
    assert client.get("/").status_code == 302


def test_client_as_signs_in_with_roles(client_as):
    client = client_as("hr")
    assert client.get("/competencies").status_code == 200
