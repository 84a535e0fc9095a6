"""The interviews app's part of a backup: questions to ask, interviews with
their checklists, the person's own interviewer questions, and mock interviews
with their answers."""

import uuid
from collections import defaultdict

from django.utils import timezone

from accounts.backup.fields import (
    STARTER,
    Boolean,
    Id,
    IndexList,
    Integer,
    Number,
    Ref,
    Text,
    TextList,
    TextLists,
    TimeZone,
    TopicList,
    When,
    problem,
)
from accounts.backup.sections import Children, Part, Section
from cards.backup import TOPICS, set_topics

from .models import (
    ChecklistItem,
    Interview,
    InterviewerQuestion,
    MockAnswer,
    MockSession,
    OwnModelAnswer,
    PracticeArea,
    QuestionToAsk,
)


def pristine_question_ids(user) -> list[int]:
    """The person's copies of starter questions to ask, still as the library has
    them: sign-up puts them there, so they do not make an account non-empty."""
    library = {
        key: (category, text)
        for key, category, text in QuestionToAsk.objects.filter(user=None)
        .exclude(starter_key="")
        .values_list("starter_key", "category", "text")
    }
    return [
        pk
        for pk, key, category, text in QuestionToAsk.objects.filter(user=user)
        .exclude(starter_key="")
        .values_list("pk", "starter_key", "category", "text")
        if library.get(key) == (category, text)
    ]


class QuestionsToAsk(Section):
    name, model, one = "questions_to_ask", QuestionToAsk, "a question to ask"
    fields = (Id("a"), Text("category"), Text("text"), Text("starter_key"), When("created_at"))
    not_backed_up = ("user",)

    def rows(self, user):
        return QuestionToAsk.objects.filter(user=user).order_by("pk")

    def check(self, restore, checked, row, seen):
        key = checked.row.starter_key
        if key:
            if key in seen:
                raise problem(row.place("starter_key"), "is used by two questions")
            seen.add(key)

    def write(self, restore, checked):
        if not restore.merge:
            # Sign-up's untouched copies of the starter questions make way for the
            # backup's own question bank.
            QuestionToAsk.objects.filter(pk__in=pristine_question_ids(restore.user)).delete()
        by_key, by_text = {}, {}
        for question in QuestionToAsk.objects.filter(user=restore.user).order_by("pk"):
            if question.starter_key:
                by_key.setdefault(question.starter_key, question)
            by_text.setdefault((question.category, question.text), question)
        new = []
        for each in checked:
            question = each.row
            if question.starter_key:
                current = by_key.get(question.starter_key)
            else:
                current = by_text.get((question.category, question.text))
            if current is not None:
                restore.written[self.name][each.id] = current
                restore.report.kept[self.name] += 1
                continue
            question.user = restore.user
            restore.written[self.name][each.id] = question
            new.append(question)
        self.create(new)
        restore.report.added[self.name] += len(new)


class ChecklistItems(Section):
    name, model, parent = "checklist_items", ChecklistItem, "interview"
    fields = (
        Ref("question", to="questions_to_ask", null=True),
        Text("text"),
        Integer("position"),
        Boolean("asked"),
        Text("answer"),
        When("updated_at"),
    )
    match = ("text",)
    not_backed_up = ("id", "interview")

    def check(self, restore, checked, row, seen):
        question = checked.values["question"]
        if question is not None:
            if question in seen:
                raise problem(row.place("question"), "is on this checklist twice")
            seen.add(question)

    def merged(self, restore, children, interview: Interview) -> list[ChecklistItem]:
        """Items of an interview that is in both: the newer of each item by its
        text, plus the backup's items the account does not have."""
        existing = defaultdict(list)
        used = set()
        for item in interview.checklist.order_by("position", "pk"):
            existing[item.text].append(item)
            if item.question_id:
                used.add(item.question_id)
        new = []
        for child in children:
            item = child.row
            question = QUESTIONS.resolve(restore, child.values["question"])
            matches = existing.get(item.text)
            if matches:
                current = matches.pop(0)
                if item.updated_at > current.updated_at:
                    ChecklistItem.objects.filter(pk=current.pk).update(**self.changes(item))
                    restore.report.updated[self.name] += 1
                else:
                    restore.report.kept[self.name] += 1
                continue
            if question is not None and question.pk in used:
                question = None  # that question is on this checklist already
            if question is not None:
                used.add(question.pk)
            item.interview, item.question = interview, question
            new.append(item)
        return new


class CalendarId(Text):
    """The id of an interview's calendar event, a UUID written as text."""

    def dump(self, export, value):
        return str(value)


# Added in format 5: an older file's interviews get a fresh calendar id.
CALENDAR_KEYS = ("ical_uid", "ical_sequence", "ical_changed_at")


class Interviews(Section):
    name, model, one = "interviews", Interview, "an interview"
    fields = (
        Id("i"),
        Text("company"),
        Text("role"),
        When("scheduled_at"),
        TimeZone("timezone"),
        Integer("duration_minutes"),
        Text("stage"),
        Text("status"),
        Text("links"),
        Text("notes"),
        TopicList(),
        When("created_at"),
        When("updated_at"),
        CalendarId("ical_uid"),
        Integer("ical_sequence"),
        When("ical_changed_at", null=True),
        Children("checklist", ChecklistItems()),
    )
    match = ("company", "role", "scheduled_at")
    not_backed_up = ("user",)

    def file_keys(self, version):
        return since_format(5, self.keys, version, CALENDAR_KEYS)

    def rows(self, user):
        return Interview.objects.owned_by(user).order_by("pk")

    def check(self, restore, checked, row, seen):
        calendar_id = checked.row.ical_uid
        if calendar_id in seen:
            raise problem(row.place("ical_uid"), "is used by two interviews")
        seen.add(calendar_id)

    def changes(self, row):
        changes = super().changes(row)
        del changes["ical_uid"]  # a calendar knows the interview by the account's id
        return changes

    def write(self, restore, checked):
        existing = {
            (i.company, i.role, i.scheduled_at): i for i in Interview.objects.owned_by(restore.user)
        }
        taken = {i.ical_uid for i in existing.values()}
        now = timezone.now()
        new, matched = [], []
        for each in checked:
            row = each.row
            current = existing.pop((row.company, row.role, row.scheduled_at), None)
            if current is None:
                row.user = restore.user
                if row.ical_uid in taken:  # another of the person's interviews has it
                    row.ical_uid = uuid.uuid4()
                taken.add(row.ical_uid)
                restore.written[self.name][each.id] = row
                new.append(each)
                continue
            restore.written[self.name][each.id] = current
            matched.append((each, current))
            if row.updated_at > current.updated_at:
                changes = self.changes(row) | current.calendar_after_merge(row, now)
                Interview.objects.filter(pk=current.pk).update(**changes)
                current.topics.set([TOPICS.resolve(restore, ref) for ref in each.values["topics"]])
                restore.report.updated[self.name] += 1
            else:
                restore.report.kept[self.name] += 1
        self.create([each.row for each in new])
        set_topics(restore, Interview, [(each.row, each.values["topics"]) for each in new])
        restore.report.added[self.name] += len(new)

        checklist = CHECKLIST_ITEMS
        items = []
        for each in new:
            for child in each.values["checklist"]:
                child.row.interview = each.row
                child.row.question = QUESTIONS.resolve(restore, child.values["question"])
                items.append(child.row)
        for each, current in matched:
            items.extend(checklist.merged(restore, each.values["checklist"], current))
        checklist.create(items)
        restore.report.added[checklist.name] += len(items)


class InterviewerQuestions(Section):
    name, model = "interviewer_questions", InterviewerQuestion
    one, noun = "an interviewer question", "interviewer question"
    fields = (
        Id("q"),
        Text("area"),
        Text("text"),
        TextList("key_points"),
        TextLists("key_point_synonyms"),
        Boolean("star"),
        Text("model_answer"),
    )
    starter_key = "starter_key"
    match = ("area", "text")
    not_backed_up = ("owner", "starter_key")  # starter_key marks the library's own

    def file_keys(self, version):
        return since_format(4, self.keys, version, ("key_point_synonyms", "model_answer"))

    def rows(self, user):
        return InterviewerQuestion.objects.filter(owner=user).order_by("pk")

    def starter_rows(self):
        return InterviewerQuestion.objects.filter(owner=None, starter_key__isnull=False)

    def write(self, restore, checked):
        existing = {}
        for question in InterviewerQuestion.objects.filter(owner=restore.user).order_by("pk"):
            existing.setdefault((question.area, question.text), question)
        new = []
        for each in checked:
            question = each.row
            current = existing.get((question.area, question.text))
            if current is not None:
                restore.written[self.name][each.id] = current
                restore.report.kept[self.name] += 1
                continue
            question.owner = restore.user
            restore.written[self.name][each.id] = question
            new.append(question)
        self.create(new)
        restore.report.added[self.name] += len(new)


class MockAnswers(Section):
    name, model, parent = "mock_answers", MockAnswer, "session"
    fields = (
        Ref("question", to="interviewer_questions"),
        Integer("position"),
        Text("text"),
        When("started_at", null=True),
        When("submitted_at", null=True),
        Boolean("timed_out"),
        IndexList("covered", largest=10_000, what="a key point number"),
        IndexList("suggested", largest=10_000, what="a key point number", null=True),
        Number("score", null=True, between=(0, 1)),
        When("scored_at", null=True),
    )
    # A spoken answer is a file in the storage, not text: a backup keeps the typed
    # answer only, and without the recording its length means nothing.
    not_backed_up = ("id", "session", "audio", "audio_seconds")

    def file_keys(self, version):
        return since_format(4, self.keys, version, ("suggested",))

    def check(self, restore, checked, row, seen):
        if checked.row.position in seen:
            raise problem(row.place("position"), "is used twice in this session")
        seen.add(checked.row.position)


class MockSessions(Section):
    name, model = "mock_sessions", MockSession
    fields = (
        Id("m"),
        Ref("interview", to="interviews", null=True),
        TextList("areas", choices=PracticeArea.values),
        Integer("time_limit_seconds"),
        When("started_at"),
        When("finished_at", null=True),
        Children("answers", MockAnswers()),
    )
    match = ("started_at",)
    not_backed_up = ("user",)

    def rows(self, user):
        return MockSession.objects.filter(user=user).order_by("pk")

    def write(self, restore, checked):
        new = self.new_rows(restore, checked)
        for each in new:
            each.row.interview = INTERVIEWS.resolve(restore, each.values["interview"])
        self.create([each.row for each in new])
        answers = []
        for each in new:
            for child in each.values["answers"]:
                child.row.session = each.row
                child.row.question = ASKED.resolve(restore, child.values["question"])
                answers.append(child.row)
        MockAnswer.objects.bulk_create(answers)
        restore.report.added[self.name] += len(new)


class OwnModelAnswers(Section):
    """A person's own model answers to starter questions (their own questions
    keep theirs on the question)."""

    name, model = "own_model_answers", OwnModelAnswer
    one, noun = "a model answer", "model answer"
    fields = (Ref("question", to="interviewer_questions"), Text("text"), When("updated_at"))
    match = ("question",)
    not_backed_up = ("id", "user")
    since = 4

    def rows(self, user):
        return OwnModelAnswer.objects.filter(user=user).order_by("pk")

    def check(self, restore, checked, row, seen):
        question = checked.values["question"]
        if not question.startswith(STARTER):
            raise problem(
                row.place("question"),
                "is not a starter question (your own questions keep their model answer)",
            )
        if question in seen:
            raise problem(row.place("question"), "has two model answers")
        seen.add(question)

    def write(self, restore, checked):
        existing = {row.question_id: row for row in self.rows(restore.user)}
        new = []
        for each in checked:
            answer = each.row
            answer.question = ASKED.resolve(restore, each.values["question"])
            current = existing.get(answer.question.pk)
            if current is None:
                answer.user = restore.user
                new.append(answer)
            elif answer.updated_at > current.updated_at:
                OwnModelAnswer.objects.filter(pk=current.pk).update(**self.changes(answer))
                restore.report.updated[self.name] += 1
            else:
                restore.report.kept[self.name] += 1
        self.create(new)
        restore.report.added[self.name] += len(new)


def since_format(first: int, keys, version: int, added) -> tuple[str, ...]:
    """The keys of a file of ``version``: those ``added`` in format ``first`` only
    from it on (an older file restores their defaults)."""
    return tuple(keys) if version >= first else tuple(k for k in keys if k not in added)


QUESTIONS, INTERVIEWS, ASKED = QuestionsToAsk(), Interviews(), InterviewerQuestions()
CHECKLIST_ITEMS = Interviews.fields[-1].child
MOCK_SESSIONS = MockSessions()
OWN_MODEL_ANSWERS = OwnModelAnswers()


def contents(user) -> dict[str, int]:
    questions = QuestionToAsk.objects.filter(user=user).count()
    return {
        "interviews": Interview.objects.owned_by(user).count(),
        "questions to ask": questions - len(pristine_question_ids(user)),
        "interviewer questions": InterviewerQuestion.objects.filter(owner=user).count(),
        "mock interviews": MockSession.objects.filter(user=user).count(),
        "model answers": OwnModelAnswer.objects.filter(user=user).count(),
    }


PART = Part(
    sections=(QUESTIONS, INTERVIEWS, ASKED, MOCK_SESSIONS, OWN_MODEL_ANSWERS),
    contents=contents,
    singular={
        "interviews": "interview",
        "checklist items": "checklist item",
        "questions to ask": "question to ask",
        "interviewer questions": "interviewer question",
        "mock interviews": "mock interview",
        "mock sessions": "mock session",
        "own model answers": "own model answer",
        "model answers": "model answer",
    },
)
