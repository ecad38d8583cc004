# Kolibri's side of the integration tests: runs inside `kolibri manage shell` (Invoke-KolibriPython in
# KolibriKit.psm1 defines ARGS and executes this file). ARGS = {"steps": [{"step": <function name>, ...keyword
# arguments...}, ...]}; every step prints one line `RESULT {"step": ..., "result": ...}`. Everything Kolibri decides
# here is decided by Kolibri's own code: its models (full_clean, save), Django's password hashers, morango's
# serialisation and Kolibri's management commands, called in this one process to pay Kolibri's start-up once.
import ast
import json
import logging
import sqlite3
import time

from django.contrib.auth.hashers import check_password as django_check_password
from django.contrib.auth.hashers import identify_hasher
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.db import transaction
from morango.models.core import DeletedModels
from morango.models.core import HardDeletedModels
from morango.models.core import Store
from morango.registry import syncable_models
from morango.sync.controller import MorangoProfileController

from kolibri.core.auth.models import AdHocGroup
from kolibri.core.auth.models import Classroom
from kolibri.core.auth.models import Collection
from kolibri.core.auth.models import Facility
from kolibri.core.auth.models import FacilityUser
from kolibri.core.auth.models import LearnerGroup
from kolibri.core.auth.models import Membership
from kolibri.core.auth.models import Role

PROFILE = "facilitydata"


class _Rollback(Exception):
    pass


def _facility_rows(facility_id):
    """Every row of the facility Kolibri's user import can touch, as Kolibri's models (collections first, each as
    its own proxy model: Collection itself has no morango model name)."""
    return (
        list(Facility.objects.filter(id=facility_id))
        + list(Classroom.objects.filter(parent_id=facility_id).order_by("id"))
        + list(LearnerGroup.objects.filter(parent__parent_id=facility_id).order_by("id"))
        + list(AdHocGroup.objects.filter(parent__parent_id=facility_id).order_by("id"))
        + list(FacilityUser.objects.filter(facility_id=facility_id).order_by("id"))
        + list(Membership.objects.filter(user__facility_id=facility_id).order_by("id"))
        + list(Role.objects.filter(user__facility_id=facility_id).order_by("id"))
    )


def _describe(obj):
    return {"model": type(obj).__name__, "id": obj.id, "row": str(obj)}


def validate_facility(facility_id):
    """Kolibri's verdict on every user, class, membership and role of the facility: the model validation
    (full_clean), the dataset consistency check (ensure_dataset), the morango identity (id and partition as
    morango computes them from the source id) and the rules Kolibri's save() enforces (saved inside a transaction
    that is rolled back; a save that would add a row, e.g. the facility role Role.save adds for a classroom coach
    without one, is a finding too)."""
    problems = []
    rows = _facility_rows(facility_id)
    for obj in rows:
        try:
            obj.full_clean()
            obj.ensure_dataset()
        except Exception as e:  # ValidationError, KolibriValidationError
            problems.append(dict(_describe(obj), check="full_clean", error=_error_text(e)))
        stored_partition = obj._morango_partition
        if not obj._morango_source_id:
            problems.append(dict(_describe(obj), check="morango", error="empty _morango_source_id"))
            continue
        expected_id = obj.calculate_uuid()
        if expected_id != obj.id or obj._morango_partition != stored_partition:
            problems.append(
                dict(
                    _describe(obj),
                    check="morango",
                    error="id/partition {}/{} but morango computes {}/{}".format(
                        obj.id, stored_partition, expected_id, obj._morango_partition
                    ),
                )
            )
        obj._morango_partition = stored_partition
    counts_before = _counts(facility_id)
    try:
        with transaction.atomic():
            for obj in rows:
                try:
                    with transaction.atomic():
                        obj.save(update_dirty_bit_to=None)
                except Exception as e:
                    problems.append(dict(_describe(obj), check="save", error=_error_text(e)))
            counts_after = _counts(facility_id)
            if counts_after != counts_before:
                problems.append(
                    {"model": "*", "id": "", "row": "", "check": "save",
                     "error": "saving the rows changed the row counts {} -> {}".format(counts_before, counts_after)}
                )
            raise _Rollback()
    except _Rollback:
        pass
    usernames = {}
    for user in FacilityUser.objects.filter(facility_id=facility_id):
        usernames.setdefault(user.username.lower(), []).append(user.id)
    for name, ids in usernames.items():
        if len(ids) > 1:
            problems.append({"model": "FacilityUser", "id": ",".join(ids), "row": name, "check": "unique username",
                             "error": "username used by {} users".format(len(ids))})
    return {"checked": len(rows), "counts": counts_before, "problems": problems}


def _counts(facility_id):
    return {
        "collections": Collection.objects.filter(id=facility_id).count()
        + Collection.objects.filter(parent_id=facility_id).count()
        + Collection.objects.filter(parent__parent_id=facility_id).count(),
        "users": FacilityUser.objects.filter(facility_id=facility_id).count(),
        "memberships": Membership.objects.filter(user__facility_id=facility_id).count(),
        "roles": Role.objects.filter(user__facility_id=facility_id).count(),
    }


def _error_text(e):
    if isinstance(e, ValidationError) and hasattr(e, "error_dict"):
        return "; ".join("{}: {}".format(field, " ".join(messages)) for field, messages in e.message_dict.items())
    if isinstance(e, ValidationError):
        return " ".join(e.messages)
    return "{}: {}".format(type(e).__name__, e)


def check_passwords(facility_id, credentials):
    """Django's check_password of each {username, password} against the stored hash (case-sensitive username, as
    Kolibri's login tries first), and whether Django would rehash it at login (must_update: a hash made with other
    settings than Kolibri's). Kolibri's authenticate() is not used: in a facility with the formal preset it lets
    learners in without checking the password at all."""
    results = []
    for c in credentials:
        user = FacilityUser.objects.filter(facility_id=facility_id, username=c["username"]).first()
        if user is None:
            results.append(dict(c, found=False, accepted=False, must_update=None))
            continue
        hasher = identify_hasher(user.password) if user.password and user.password != "NOT_SPECIFIED" else None
        results.append(
            dict(
                c,
                found=True,
                accepted=django_check_password(c["password"], user.password),
                must_update=hasher.must_update(user.password) if hasher else None,
            )
        )
    return results


def serialize_store():
    """Morango's serialisation of every dirty row into its store, as Kolibri runs it before every sync."""
    MorangoProfileController(PROFILE).serialize_into_store()
    return {"store": Store.objects.filter(profile=PROFILE).count()}


def store_snapshot():
    """Ids of the store's records, live or deleted, to compare later."""
    return {
        "live": sorted(Store.objects.filter(profile=PROFILE, deleted=False).values_list("id", flat=True)),
        "deleted": sorted(Store.objects.filter(profile=PROFILE, deleted=True).values_list("id", flat=True)),
    }


def compare_store():
    """After serialize_store: every syncable row of the app must be in the store with exactly what morango
    serialises from it now (partition and source id included) and a clear dirty bit; every store record whose row
    is gone must be marked deleted (hard_deleted with the data purged, when it was a hard delete)."""
    mismatched, dirty, missing = [], [], []
    app_ids = set()
    for model in syncable_models.get_models(PROFILE):
        objects = list(model.objects.all())
        records = Store.objects.in_bulk([obj.id for obj in objects])
        for obj in objects:
            app_ids.add(obj.id)
            if obj._morango_dirty_bit:
                dirty.append({"model": model.__name__, "id": obj.id})
            record = records.get(obj.id)
            if record is None:
                missing.append({"model": model.__name__, "id": obj.id})
                continue
            expected = json.loads(DjangoJSONEncoder().encode(obj.serialize()))
            actual = json.loads(record.serialized)
            fields = sorted(k for k in set(expected) | set(actual) if expected.get(k) != actual.get(k))
            if fields or record.deleted or record.partition != obj._morango_partition \
                    or record.source_id != obj._morango_source_id or record.model_name != obj.morango_model_name:
                mismatched.append({
                    "model": model.__name__, "id": obj.id, "fields": fields, "deleted": record.deleted,
                    "partition": [record.partition, obj._morango_partition],
                    "source_id": [record.source_id, obj._morango_source_id],
                })
    gone = []
    for record in Store.objects.filter(profile=PROFILE).exclude(id__in=app_ids):
        gone.append({"id": record.id, "model": record.model_name, "deleted": record.deleted,
                     "hard_deleted": record.hard_deleted, "purged": record.serialized == "{}"})
    return {"rows": len(app_ids), "mismatched": mismatched, "dirty": dirty, "missing": missing, "gone": gone}


def delete_cascade(user_ids):
    """What Kolibri's own delete of these users removes (user.delete(hard_delete=True), as its bulkimportusers
    deletes them: Django's cascade, Kolibri's delete signals, morango's deletion records), done in a transaction
    that is rolled back. Returns the ids morango records as deleted and hard-deleted, and the rows removed per
    table (syncable or not)."""
    tables = connection.introspection.table_names()
    result = {}
    try:
        with transaction.atomic():
            counts_before = _table_counts(tables)
            for user in FacilityUser.objects.filter(id__in=user_ids):
                user.delete(hard_delete=True)
            counts_after = _table_counts(tables)
            result["deleted"] = sorted(DeletedModels.objects.filter(profile=PROFILE).values_list("id", flat=True))
            result["syncable"] = sorted(HardDeletedModels.objects.filter(profile=PROFILE).values_list("id", flat=True))
            result["rows"] = {t: counts_before[t] - counts_after[t] for t in tables
                              if counts_before[t] != counts_after[t] and not t.startswith("morango_")}
            raise _Rollback()
    except _Rollback:
        pass
    return result


def _table_counts(tables):
    cursor = connection.cursor()
    counts = {}
    for table in tables:
        cursor.execute('SELECT COUNT(*) FROM "{}"'.format(table))
        counts[table] = cursor.fetchone()[0]
    return counts


def execute_sql(statements):
    """Raw SQL behind Kolibri's back (no dirty bit, no id computation): the negative controls of the tests, which
    show that the checks above see what a careless writer does."""
    cursor = connection.cursor()
    changed = 0
    for statement in statements:
        cursor.execute(statement["sql"], statement.get("parameters", []))
        changed += cursor.rowcount
    return {"changed": changed}


def table_counts():
    """Rows per table of this home's database (db.sqlite3, or the PostgreSQL database its options.ini names)."""
    return _table_counts(connection.introspection.table_names())


def store_records(ids):
    """The store's record for each id: deleted flags and the serialised values (None when there is none)."""
    result = {}
    for record in Store.objects.filter(id__in=ids):
        result[record.id] = {"model": record.model_name, "deleted": record.deleted,
                             "hard_deleted": record.hard_deleted, "serialized": json.loads(record.serialized)}
    return result


def dump_facility(facility_id):
    """Every column of every user, class, group, membership and role of the facility (what an import may change)."""
    def rows(queryset):
        return sorted((json.loads(DjangoJSONEncoder().encode(r)) for r in queryset.values()), key=lambda r: r["id"])
    return {
        "collections": rows(Collection.objects.filter(id=facility_id))
        + rows(Collection.objects.filter(parent_id=facility_id))
        + rows(Collection.objects.filter(parent__parent_id=facility_id)),
        "users": rows(FacilityUser.objects.filter(facility_id=facility_id)),
        "memberships": rows(Membership.objects.filter(user__facility_id=facility_id)),
        "roles": rows(Role.objects.filter(user__facility_id=facility_id)),
    }


class _Capture(logging.Handler):
    def __init__(self):
        super().__init__(logging.INFO)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def manage(arguments, logger=None):
    """One Kolibri management command, as `kolibri manage <arguments>` runs it. Returns what the command's logger
    said (logger = its module name) and the CommandError text, if any."""
    capture = _Capture()
    log = logging.getLogger(logger) if logger else None
    if log:
        log.addHandler(capture)
    try:
        call_command(*arguments)
        error = None
    except Exception as e:  # CommandError and anything else: reported, the test decides
        error = "{}: {}".format(type(e).__name__, e)
    finally:
        if log:
            log.removeHandler(capture)
    return {"log": capture.messages, "error": error}


def import_users(path, facility_id, delete=False, dryrun=False):
    """Kolibri's `bulkimportusers` with its report (errors, classes and users counts) parsed from its log lines."""
    arguments = ["bulkimportusers", path, "--facility", facility_id]
    if delete:
        arguments.append("--delete")
    if dryrun:
        arguments.append("--dryrun")
    run = manage(arguments, "kolibri.core.auth.management.commands.bulkimportusers")
    report = {}
    for line in run["log"]:
        for key in ("File errors", "Data errors", "Classes report", "Users report"):
            if line.startswith(key + ": "):
                report[key] = ast.literal_eval(line[len(key) + 2:])
    return {"error": run["error"], "report": report, "log": run["log"]}


def copy_content(source, tables):
    """Copies the content rows of a Kolibri database made by Kolibri (the fixture's two channels) into this home,
    column by column (rows Kolibri made when it imported them): the kit has no channel to import offline, and
    generateuserdata adds interaction logs only for channels on the device."""
    source_db = sqlite3.connect("file:{}?mode=ro".format(source), uri=True)
    copied = {}
    # One transaction: Django's SQLite foreign keys are deferred, so nodes and channels may arrive in any order.
    with transaction.atomic():
        cursor = connection.cursor()
        for table in tables:
            columns = [r[1] for r in source_db.execute('PRAGMA table_info("{}")'.format(table))]
            cursor.execute('PRAGMA table_info("{}")'.format(table))
            target_columns = {r[1] for r in cursor.fetchall()}
            columns = [c for c in columns if c in target_columns]
            names = ", ".join('"{}"'.format(c) for c in columns)
            rows = source_db.execute('SELECT {} FROM "{}"'.format(names, table)).fetchall()
            cursor.executemany(
                'INSERT INTO "{}" ({}) VALUES ({})'.format(table, names, ", ".join(["%s"] * len(columns))), rows
            )
            copied[table] = len(rows)
    source_db.close()
    return copied


def run(steps):
    for step in steps:
        arguments = dict(step)
        name = arguments.pop("step")
        started = time.monotonic()
        result = globals()[name](**arguments)
        print("RESULT", json.dumps({"step": name, "seconds": round(time.monotonic() - started, 2), "result": result}))


run(ARGS["steps"])  # noqa: F821 (ARGS is defined by Invoke-KolibriPython)
