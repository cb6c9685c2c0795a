"""The JSON API of a person in a programme: the enrolment as you may read it, its plan, the intake (pick-up and
decision), stage moves and their history, criminal-justice data (for those allowed it, else as missing), the
activities on its timeline, benefits and outcomes; and the lists of a referrer's referrals and of the referrals
waiting for an intake.

Outcomes are logged through the follow-up's API (events.followup.api); here they are read.
"""

from __future__ import annotations

import datetime as dt

from litestar import Controller, get, patch, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from events.platform.auth import requires
from events.platform.errors import ConflictError, DomainError, NotFoundError
from events.platform.models import Enrolment, Programme, Role
from events.platform.web import WEB, Web
from events.programmes import activities, enrolments, intake, plan, views
from events.programmes import schemas as s

organisers_and_coaches = requires(Role.ORGANISER, Role.COACH)


class ReferralApi(Controller):
    path = "/api"
    tags = ["programmes"]
    guards = [organisers_and_coaches]
    dependencies = WEB

    @get("/referrals", name="api:my_referrals")
    async def my_referrals(self, web: NamedDependency[Web]) -> list[s.ReferralRow]:
        """The people you referred, newest first, with the stage they reached (nothing confidential)."""
        return [
            s.ReferralRow(r.enrolment_id, r.name, r.programme, r.referred_on, r.stage, r.ended)
            for r in await intake.my_referrals(web.db, web.user)
        ]

    @get("/intake", name="api:intake")
    async def waiting(self, web: NamedDependency[Web]) -> list[s.IntakeRow]:
        """The referrals waiting to be picked up for an intake in the programmes where your organisation coaches,
        oldest first."""
        return [
            s.IntakeRow(e.id, c.full_name, s.ProgrammeRef(p.id, p.slug, p.name), e.referred_on, e.referrer_name)
            for e, c, p in await intake.to_pick_up(web.db, web.user)
        ]


def _justice_row(value: dict[str, object]) -> s.JusticeRow:
    release = value.get("release_date")
    return s.JusticeRow(
        detained=bool(value.get("detained")),
        release_date=dt.date.fromisoformat(release) if isinstance(release, str) and release else None,
        criminal_record=bool(value.get("criminal_record")),
    )


class EnrolmentApi(Controller):
    path = "/api/enrolments/{enrolment_id:int}"
    tags = ["programmes"]
    guards = [organisers_and_coaches]
    dependencies = WEB

    async def _enrolment(self, web: Web, enrolment_id: int) -> Enrolment:
        return await enrolments.get_enrolment(web.db, web.user, enrolment_id)

    async def _programme(self, web: Web, enrolment: Enrolment) -> Programme:
        programme = await web.db.get(Programme, enrolment.programme_id)
        if programme is None:
            raise NotFoundError(f"enrolment {enrolment.id}")
        return programme

    @get("/", name="api:enrolment")
    async def get_enrolment(self, web: NamedDependency[Web], enrolment_id: FromPath[int]) -> s.EnrolmentDetail:
        """The enrolment as you may read it: its goals, barriers and the decision's reason for the person's coaches
        and the programme's organisers (the read is audited); criminal-justice data never (see `justice`)."""
        return await views.enrolment_detail(web.db, web.user, await self._enrolment(web, enrolment_id))

    @patch("/", name="api:enrolment_update")
    async def update_plan(
        self, web: NamedDependency[Web], enrolment_id: FromPath[int], data: JSONBody[s.PlanUpdate]
    ) -> s.EnrolmentDetail:
        """Change the person's own goals, the barriers worked on or the target group (the fields given)."""
        enrolment = await self._enrolment(web, enrolment_id)
        programme = await self._programme(web, enrolment)
        group = (
            await enrolments.find_target_group(web.db, programme, data.target_group)
            if data.target_group is not None
            else None
        )
        await plan.update_plan(
            web.db, web.user, enrolment, goals=data.goals, barriers=data.barriers, target_group=group
        )
        return await views.enrolment_detail(web.db, web.user, enrolment)

    @post("/pick-up", name="api:enrolment_pick_up", guards=[requires(Role.COACH)], status_code=HTTP_200_OK)
    async def pick_up(self, web: NamedDependency[Web], enrolment_id: FromPath[int]) -> s.EnrolmentDetail:
        """Take a waiting referral for the intake: you become the person's coach, the enrolment moves on to the
        next stage. One picked up already: 409."""
        enrolment = await self._enrolment(web, enrolment_id)
        try:
            await intake.pick_up(web.db, web.user, enrolment)
        except DomainError as error:
            if error.code == "taken":
                raise ConflictError(error.code, error.message, error.field) from None
            raise
        return await views.enrolment_detail(web.db, web.user, enrolment)

    @post("/decision", name="api:enrolment_decision", status_code=HTTP_200_OK)
    async def decide(
        self, web: NamedDependency[Web], enrolment_id: FromPath[int], data: JSONBody[s.DecisionInput]
    ) -> s.EnrolmentDetail:
        """The intake's decision: accepted, or refused with a reason (which ends the enrolment)."""
        enrolment = await self._enrolment(web, enrolment_id)
        await intake.decide(web.db, web.user, enrolment, data.decision, reason=data.reason, intake_on=data.intake_on)
        return await views.enrolment_detail(web.db, web.user, enrolment)

    @post("/stage", name="api:enrolment_stage", status_code=HTTP_200_OK)
    async def move(
        self, web: NamedDependency[Web], enrolment_id: FromPath[int], data: JSONBody[s.StageMove]
    ) -> s.EnrolmentDetail:
        """Move the enrolment to another stage (id or name) of its programme, kept in its history; ending it as
        dropped asks for the reason."""
        enrolment = await self._enrolment(web, enrolment_id)
        programme = await self._programme(web, enrolment)
        stage = await enrolments.find_stage(web.db, programme, data.stage)
        await intake.move(web.db, web.user, enrolment, stage, drop_reason=data.drop_reason, on=data.on)
        return await views.enrolment_detail(web.db, web.user, enrolment)

    @get("/stage-changes", name="api:enrolment_stage_changes")
    async def stage_changes(self, web: NamedDependency[Web], enrolment_id: FromPath[int]) -> list[s.StageChangeRow]:
        """Every move of the enrolment, oldest first, with who made it."""
        enrolment = await self._enrolment(web, enrolment_id)
        return [
            s.StageChangeRow(h.at, h.from_stage, h.to_stage, h.by, h.drop_reason.value if h.drop_reason else None)
            for h in await intake.stage_history(web.db, enrolment)
        ]

    @get("/justice", name="api:enrolment_justice")
    async def justice(self, web: NamedDependency[Web], enrolment_id: FromPath[int]) -> s.JusticeRow:
        """Detention, release date and criminal record: for the person's coaches and the organisers allowed it
        (every read audited); anyone else is answered as for a missing enrolment."""
        enrolment = await self._enrolment(web, enrolment_id)
        return _justice_row(await plan.justice(web.db, web.user, enrolment))

    @put("/justice", name="api:enrolment_justice_update")
    async def set_justice(
        self, web: NamedDependency[Web], enrolment_id: FromPath[int], data: JSONBody[s.JusticeInput]
    ) -> s.JusticeRow:
        """Record detention, the release date and a criminal record (those who may read them)."""
        enrolment = await self._enrolment(web, enrolment_id)
        stored = await plan.set_justice(
            web.db,
            web.user,
            enrolment,
            detained=data.detained,
            release_date=data.release_date,
            criminal_record=data.criminal_record,
        )
        return _justice_row(stored)

    # --- the timeline -----------------------------------------------------------------------------------------

    @get("/activities", name="api:enrolment_activities")
    async def list_activities(self, web: NamedDependency[Web], enrolment_id: FromPath[int]) -> list[s.ActivityRow]:
        """The activities on the enrolment's timeline, newest first, each with its state today."""
        enrolment = await self._enrolment(web, enrolment_id)
        confidential = await views.reads_confidential(web.db, web.user, enrolment)
        return [
            views.activity_row(a, name, confidential=confidential)
            for a, name in await activities.timeline(web.db, enrolment)
        ]

    @post("/activities", name="api:activity_create", status_code=HTTP_201_CREATED)
    async def add_activity(
        self, web: NamedDependency[Web], enrolment_id: FromPath[int], data: JSONBody[s.ActivityCreate]
    ) -> s.ActivityRow:
        """Add a coaching talk, training, workshop, work experience, introduction (with an employer, outside any
        event) or one of the programme's events to the timeline."""
        enrolment = await self._enrolment(web, enrolment_id)
        activity = await activities.add_activity(
            web.db,
            web.user,
            enrolment,
            activities.ActivityInput(
                kind=data.kind,
                title=data.title,
                starts_on=data.starts_on,
                planned_end=data.planned_end,
                provider=data.provider,
                employer=data.employer,
                event_id=data.event_id,
                note=data.note,
            ),
        )
        name = await views.organisation_name(web.db, activity.organisation_id)
        return views.activity_row(activity, name, confidential=True)

    @post("/activities/{activity_id:int}/finish", name="api:activity_finish", status_code=HTTP_200_OK)
    async def finish(
        self,
        web: NamedDependency[Web],
        enrolment_id: FromPath[int],
        activity_id: FromPath[int],
        data: JSONBody[s.FinishInput],
    ) -> s.ActivityRow:
        """A training, workshop or work experience completed or stopped (on a day not in the future)."""
        enrolment = await self._enrolment(web, enrolment_id)
        activity = await activities.get_activity(web.db, enrolment, activity_id)
        await activities.finish(web.db, web.user, enrolment, activity, completed=data.completed, on=data.ended_on)
        name = await views.organisation_name(web.db, activity.organisation_id)
        return views.activity_row(activity, name, confidential=True)

    @post("/activities/{activity_id:int}/introduction", name="api:activity_introduction", status_code=HTTP_200_OK)
    async def record_introduction(
        self,
        web: NamedDependency[Web],
        enrolment_id: FromPath[int],
        activity_id: FromPath[int],
        data: JSONBody[s.IntroductionInput],
    ) -> s.ActivityRow:
        """An introduction held (whether it matched, the employer's answer) or cancelled."""
        enrolment = await self._enrolment(web, enrolment_id)
        activity = await activities.get_activity(web.db, enrolment, activity_id)
        await activities.record_introduction(
            web.db,
            web.user,
            enrolment,
            activity,
            status=data.status,
            match=data.match,
            employer_answer=data.employer_answer,
            held_on=data.held_on,
        )
        name = await views.organisation_name(web.db, activity.organisation_id)
        return views.activity_row(activity, name, confidential=True)

    # --- benefits and outcomes --------------------------------------------------------------------------------

    @get("/benefits", name="api:enrolment_benefits")
    async def list_benefits(self, web: NamedDependency[Web], enrolment_id: FromPath[int]) -> list[s.BenefitRow]:
        """The benefits the person had at intake or later, and when they left them."""
        enrolment = await self._enrolment(web, enrolment_id)
        return [views.benefit_row(p) for p in await activities.benefits(web.db, enrolment)]

    @post("/benefits", name="api:benefit_create", status_code=HTTP_201_CREATED)
    async def add_benefit(
        self, web: NamedDependency[Web], enrolment_id: FromPath[int], data: JSONBody[s.BenefitInput]
    ) -> s.BenefitRow:
        """A benefit the person has (at intake, or one that started later)."""
        enrolment = await self._enrolment(web, enrolment_id)
        return views.benefit_row(
            await activities.add_benefit(web.db, web.user, enrolment, data.benefit, since=data.since)
        )

    @post("/benefits/{benefit_id:int}/left", name="api:benefit_left", status_code=HTTP_200_OK)
    async def leave_benefit(
        self,
        web: NamedDependency[Web],
        enrolment_id: FromPath[int],
        benefit_id: FromPath[int],
        data: JSONBody[s.BenefitLeft],
    ) -> s.BenefitRow:
        """The day the person left a benefit."""
        enrolment = await self._enrolment(web, enrolment_id)
        return views.benefit_row(await activities.leave_benefit(web.db, web.user, enrolment, benefit_id, data.left_on))

    @get("/outcomes", name="api:enrolment_outcomes")
    async def outcomes(self, web: NamedDependency[Web], enrolment_id: FromPath[int]) -> list[s.EnrolmentOutcomeRow]:
        """The outcomes belonging to the enrolment, with or without an event, with their terms over time (logged
        through the follow-up's API)."""
        enrolment = await self._enrolment(web, enrolment_id)
        return await views.enrolment_outcomes(web.db, web.user, enrolment)
