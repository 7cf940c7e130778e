"""A client generated from the live schema, and one agreement walked with it alone.

openapi-python-client (a dev dependency) generates a package from `/api/schema/`;
the generation must print no warning, every module must import, and the package
must take one agreement from contact to active against a live server: tokens,
records, requests made by an officer and approved by another approver, the
memorandum frozen at signing and its signed copy uploaded. No hand-written HTTP.

tests/api/openapi-python-client.yaml tells the generator that a PDF, an XLSX and
a download of any type are bytes (it knows only application/octet-stream); the
schema keeps the true media types.
"""

from __future__ import annotations

import datetime
import importlib
import io
import json
import pkgutil
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from agreements.models import Agreement

GENERATOR = shutil.which("openapi-python-client") or str(
    Path(sys.executable).with_name("openapi-python-client")
)
CONFIG = Path(__file__).with_name("openapi-python-client.yaml")
PACKAGE = "sister_cities_client"

pytestmark = [
    pytest.mark.skipif(
        not Path(GENERATOR).exists(), reason="openapi-python-client is not installed"
    ),
]


@pytest.fixture
def generated(tmp_path, db):
    """The package generated from the served schema, importable; and the generator's output."""
    response = APIClient().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = tmp_path / "schema.json"
    schema.write_text(json.dumps(response.json()))
    target = tmp_path / "out" / PACKAGE
    # The generator formats its output with ruff: the one installed next to it.
    env = {"PATH": f"{Path(GENERATOR).parent}:/usr/bin:/bin"}
    run = subprocess.run(
        [GENERATOR, "generate", "--path", str(schema), "--meta", "none"]
        + ["--output-path", str(target), "--config", str(CONFIG)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    output = run.stdout + run.stderr
    sys.path.insert(0, str(target.parent))
    yield run.returncode, output, target
    sys.path.remove(str(target.parent))
    for name in [name for name in sys.modules if name.split(".")[0] == PACKAGE]:
        del sys.modules[name]


def test_client_is_generated_without_warning_and_every_module_imports(generated):
    returncode, output, target = generated
    assert returncode == 0, output
    assert "warning" not in output.lower(), output
    assert "error" not in output.lower(), output
    package = importlib.import_module(PACKAGE)
    names = [
        module.name for module in pkgutil.walk_packages(package.__path__, prefix=f"{PACKAGE}.")
    ]
    for name in names:
        importlib.import_module(name)
    assert f"{PACKAGE}.api.v1.v1_agreements_memorandum_pdf_retrieve" in names
    assert len(names) > 100


def _ok(response, status: int = 200):
    assert response.status_code == status, (response.status_code, response.content[:2000])
    return response.parsed


@pytest.mark.django_db(transaction=True)
def test_one_agreement_from_contact_to_active_with_the_generated_client(
    generated, live_server, personas
):
    returncode, output, _target = generated
    assert returncode == 0, output
    v1 = importlib.import_module(f"{PACKAGE}.api.v1")
    models = importlib.import_module(f"{PACKAGE}.models")
    types = importlib.import_module(f"{PACKAGE}.types")
    base = importlib.import_module(PACKAGE)

    def api(name):
        return importlib.import_module(f"{v1.__name__}.{name}")

    anonymous = base.Client(base_url=live_server.url)

    def signed_in(username: str):
        token = _ok(
            api("v1_auth_token_create").sync_detailed(
                client=anonymous,
                body=models.TokenRequestRequest(username=username, password="pw"),
            )
        )
        assert token.expires_at > datetime.datetime.now(datetime.UTC)
        return base.AuthenticatedClient(base_url=live_server.url, token=token.token, prefix="Token")

    officer, approver = signed_in("officer"), signed_in("approver")

    partner = _ok(
        api("v1_cities_create").sync_detailed(
            client=officer,
            body=models.CityRequest(name="Dushanbe", country=models.CountryEnum.TJ),
        ),
        201,
    )
    # Filled from GeoNames when the city was created (cities.geo).
    assert partner.latitude == pytest.approx(38.53575)
    # A list and a number go out and come back; a null and an empty list clear them.
    capital, historic = models.CharacteristicsEnum.CAPITAL, models.CharacteristicsEnum.HISTORIC
    changed = _ok(
        api("v1_cities_partial_update").sync_detailed(
            str(partner.id),
            client=officer,
            body=models.PatchedCityRequest(latitude=38.5598, characteristics=[capital, historic]),
        )
    )
    assert changed.latitude == 38.5598
    assert sorted(changed.characteristics) == sorted([capital, historic])
    cleared = _ok(
        api("v1_cities_partial_update").sync_detailed(
            str(partner.id),
            client=officer,
            body=models.PatchedCityRequest(latitude=None, characteristics=[]),
        )
    )
    assert cleared.latitude is None
    assert cleared.characteristics == []
    agreement = _ok(
        api("v1_agreements_create").sync_detailed(
            client=officer,
            body=models.AgreementRequest(
                home_city=personas.tehran.pk,
                partner_city=partner.id,
                kind=models.AgreementKindEnum.SISTER,
                title="Tehran–Dushanbe",
            ),
        ),
        201,
    )
    assert agreement.stage == models.StageEnum.CONTACT
    assert agreement.responsible_officer in (None, "officer")
    pk = agreement.id
    past = datetime.date(2025, 1, 5)

    def advance(note: str) -> None:
        detail = _ok(api("v1_agreements_retrieve").sync_detailed(pk, client=officer))
        assert all(item.done for item in detail.gate), [i.code for i in detail.gate]
        request = _ok(
            api("v1_agreements_advance_create").sync_detailed(
                pk, client=officer, body=models.RequestReasonRequest(note=note)
            ),
            201,
        )
        assert request.decided_by is None
        decided = _ok(
            api("v1_stage_requests_approve_create").sync_detailed(
                request.id, client=approver, body=models.NoteRequest(note="")
            )
        )
        assert decided.decided_by == "approver"

    # Contact: a recorded meeting of the mayors.
    _ok(
        api("v1_agreements_contacts_create").sync_detailed(
            pk,
            client=officer,
            body=models.ContactRequest(date=past, participants="The two mayors"),
        ),
        201,
    )
    advance("The mayors met in Dushanbe.")

    # Goals: a goal with a sector, a commonality, the council's support.
    _ok(
        api("v1_agreements_goals_create").sync_detailed(
            pk,
            client=officer,
            body=models.GoalRequest(sector=models.SectorEnum.CULTURE, description="Cultural week"),
        ),
        201,
    )
    _ok(
        api("v1_agreements_commonalities_create").sync_detailed(
            pk,
            client=officer,
            body=models.CommonalityRequest(
                kind=models.CommonalityKindEnum.CULTURAL, description="Persian heritage"
            ),
        ),
        201,
    )
    _ok(
        api("v1_agreements_department_supports_create").sync_detailed(
            pk,
            client=officer,
            body=models.DepartmentSupportRequest(
                department=models.DepartmentEnum.COUNCIL, supported_on=past
            ),
        ),
        201,
    )
    advance("Goals agreed.")

    # Legal: the approvals the municipality requires, granted.
    for authority in ("home_council", "home_ministry", "partner_authority"):
        _ok(
            api("v1_agreements_legal_approvals_create").sync_detailed(
                pk,
                client=officer,
                body=models.LegalApprovalRequest(
                    authority=models.AuthorityEnum(authority),
                    status=models.ApprovalStatusEnum.GRANTED,
                    decided_on=past,
                ),
            ),
            201,
        )
    advance("All approvals granted.")

    # Signing: the memorandum's details, frozen once, then its signed copy.
    memoranda = _ok(api("v1_agreements_memoranda_list").sync_detailed(pk, client=officer)).results
    if not memoranda:
        memoranda = [
            _ok(
                api("v1_agreements_memoranda_create").sync_detailed(
                    pk, client=officer, body=models.MemorandumRequest()
                ),
                201,
            )
        ]
    memorandum = memoranda[-1]
    assert memorandum.frozen_by is None
    memorandum = _ok(
        api("v1_agreements_memoranda_partial_update").sync_detailed(
            pk,
            memorandum.id,
            client=officer,
            body=models.PatchedMemorandumRequest(
                signed_on=past,
                place="Tehran",
                home_signatory_name="The mayor of Tehran",
                partner_signatory_name="The mayor of Dushanbe",
                version=memorandum.version,
            ),
        )
    )
    # The paper's fifth condition: officials of both sides present, else no freeze.
    refused = api("v1_memoranda_freeze_create").sync_detailed(memorandum.id, client=officer)
    assert refused.status_code == 409
    assert json.loads(refused.content)["code"] == "officials_missing"
    for side, name in (
        (models.SideEnum.HOME, "Tehran official"),
        (models.SideEnum.PARTNER, "Envoy"),
    ):
        _ok(
            api("v1_agreements_memoranda_officials_create").sync_detailed(
                pk,
                memorandum.id,
                client=officer,
                body=models.OfficialRequest(side=side, name=name),
            ),
            201,
        )
    frozen = _ok(api("v1_memoranda_freeze_create").sync_detailed(memorandum.id, client=officer))
    assert [official.name for official in frozen.officials] == ["Tehran official", "Envoy"]
    assert frozen.frozen_by == "officer" and frozen.pdf_sha256
    pdf = api("v1_agreements_memorandum_pdf_retrieve").sync_detailed(pk, client=officer)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    _ok(
        api("v1_agreements_documents_create").sync_detailed(
            pk,
            client=officer,
            body=models.DocumentRequest(
                file=types.File(
                    payload=io.BytesIO(pdf.content),
                    file_name="signed.pdf",
                    mime_type="application/pdf",
                ),
                kind=models.DocumentKindEnum.SIGNED_MOU,
                memorandum=memorandum.id,
            ),
        ),
        201,
    )
    advance("Signed in Tehran.")

    # Delegations: an official one that has taken place; then the partnership is active.
    _ok(
        api("v1_agreements_delegations_create").sync_detailed(
            pk,
            client=officer,
            body=models.DelegationRequest(
                direction=models.DirectionEnum.OUTGOING,
                start_date=datetime.date(2025, 3, 1),
                end_date=datetime.date(2025, 3, 5),
                official=True,
                head="The mayor",
            ),
        ),
        201,
    )
    advance("The first delegation went to Dushanbe.")

    active = _ok(api("v1_agreements_retrieve").sync_detailed(pk, client=officer))
    assert (active.stage, active.status) == (
        models.StageEnum.ACTIVE,
        models.AgreementStatusEnum.ACTIVE,
    )
    history = _ok(api("v1_agreements_history_retrieve").sync_detailed(pk, client=approver))
    assert history.count > 0
    assert Agreement.objects.get(pk=pk).stage == "active"
