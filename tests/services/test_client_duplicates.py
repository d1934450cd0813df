"""Clients written more than once, found in the database: a shared email or phone, the same name with
nothing to tell the two apart, a one-letter typo of a name without contacts; chains are one group; two
people of one name with different phones are not; only the clients a user may see."""

from __future__ import annotations

from crm_desktop.services import client_duplicates, clients, duplicates


def _names(groups) -> list[list[str]]:
    return [[c.name for c in g.clients] for g in groups]


def test_clients_that_are_one_are_grouped_with_why(ctx):
    vali = clients.create(ctx, name="Aliyev Vali", phones=["+998 90 123 45 67"])
    same_phone = clients.create(
        ctx, name="VALI ALIYEV", phones=["+998901234567"], emails=["vali@example.com"]
    )
    same_email = clients.create(ctx, name="V. Aliyev", emails=["VALI@example.com"])
    clients.create(ctx, name="Karimov Bekzod")
    typo = clients.create(ctx, name="Karimov Bekzood")
    clients.create(ctx, name="Ivanov Ivan", phones=["+7 912 000 00 01"])
    clients.create(ctx, name="Ivanov Ivan", phones=["+7 912 000 00 02"])  # another Ivan Ivanov

    groups = client_duplicates.find(ctx)

    assert _names(groups) == [
        ["Aliyev Vali", "VALI ALIYEV", "V. Aliyev"],
        ["Karimov Bekzod", "Karimov Bekzood"],
    ]
    assert groups[0].reasons == {same_phone.id: duplicates.SAME_PHONE, same_email.id: duplicates.SAME_EMAIL}
    assert vali.id not in groups[0].reasons and groups[1].reasons == {typo.id: duplicates.SIMILAR_NAME}


def test_a_user_finds_duplicates_only_among_the_clients_they_may_see(ctx, staff):
    clients.create(staff["rashad"], name="Hidden Person", phones=["+998 93 555 12 34"], private=True)
    clients.create(staff["dilnoza"], name="Shown Person", phones=["+998 93 555 12 34"])
    assert client_duplicates.find(staff["dilnoza"]) == []
    assert _names(client_duplicates.find(ctx)) == [["Hidden Person", "Shown Person"]]


def test_an_email_several_clients_share_does_not_make_them_one(ctx):
    for name in ("Ipak Yoʻli Logistika", "Toshkent Print", "Navroʻz Qurilish"):
        clients.create(ctx, name=name, emails=["office@gmail.com"])
    clients.create(ctx, name="Zarina Ismoilova", emails=["zarina@mail.uz"])
    clients.create(ctx, name="Z. Ismoilova", emails=["zarina@mail.uz"])
    assert _names(client_duplicates.find(ctx)) == [["Zarina Ismoilova", "Z. Ismoilova"]]
