"""Forms of the service. Each refuses oversize input with a message and keeps what was typed.

One module per audience, as the views: the seeker's (`seeker`), those on a case (`case`),
those that keep the service's registers (`organisation`) and concerns (`concerns`); the
fields and base classes they share are in `base`.
"""

from kollega.service.forms.base import (
    YES_NO,
    CaseForm,
    ConfirmForm,
    MessageForm,
    OfferingChoiceField,
    StyledForm,
)
from kollega.service.forms.case import (
    GIVE_UP_PLACES,
    KEEP_PLACES,
    AppointmentForm,
    AssignForm,
    CloseForm,
    ConversationForm,
    CoordinatorMessageForm,
    DeclineForm,
    EnrolForm,
    GrantForm,
    HandBackForm,
    ReassignForm,
    ReferralForm,
    WithdrawForm,
    directory_choices,
)
from kollega.service.forms.concerns import (
    ConcernAssignForm,
    ConcernConcludeForm,
    ConcernDeclineForm,
    ConcernForm,
    ConcernWithdrawForm,
)
from kollega.service.forms.organisation import (
    AvailabilityForm,
    CounsellorProfileForm,
    NewCounsellorForm,
    OfferingForm,
    ReferralPlaceForm,
    ServiceSettingsForm,
)
from kollega.service.forms.seeker import (
    RESEARCH_CONSENT_TEXT,
    ChooseForm,
    FeedbackForm,
    IntakeForm,
    InvitationAnswerForm,
    StaffIntakeForm,
)

__all__ = [
    "GIVE_UP_PLACES",
    "KEEP_PLACES",
    "RESEARCH_CONSENT_TEXT",
    "YES_NO",
    "AppointmentForm",
    "AssignForm",
    "AvailabilityForm",
    "CaseForm",
    "ChooseForm",
    "CloseForm",
    "ConcernAssignForm",
    "ConcernConcludeForm",
    "ConcernDeclineForm",
    "ConcernForm",
    "ConcernWithdrawForm",
    "ConfirmForm",
    "ConversationForm",
    "CoordinatorMessageForm",
    "CounsellorProfileForm",
    "DeclineForm",
    "EnrolForm",
    "FeedbackForm",
    "GrantForm",
    "HandBackForm",
    "IntakeForm",
    "InvitationAnswerForm",
    "MessageForm",
    "NewCounsellorForm",
    "OfferingChoiceField",
    "OfferingForm",
    "ReassignForm",
    "ReferralForm",
    "ReferralPlaceForm",
    "ServiceSettingsForm",
    "StaffIntakeForm",
    "StyledForm",
    "WithdrawForm",
    "directory_choices",
]
