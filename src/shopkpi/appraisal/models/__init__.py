from shopkpi.appraisal.models.access import ApiToken, LoginAttempt, LoginProfile
from shopkpi.appraisal.models.appeals import AppealPoint, RowOverride
from shopkpi.appraisal.models.audit import AuditEntry
from shopkpi.appraisal.models.calibration import CalibrationTarget, DistributionConfirmation, GradeCalibration
from shopkpi.appraisal.models.chain import ApprovalStep, ReviewStep
from shopkpi.appraisal.models.company import CompanySettings
from shopkpi.appraisal.models.cycles import Cycle, CycleTemplate, MonthComputation, TemplateVersion
from shopkpi.appraisal.models.incidents import Incident, IncidentEvidence
from shopkpi.appraisal.models.jobs import Job
from shopkpi.appraisal.models.notices import Delivery, Notice
from shopkpi.appraisal.models.organisation import Account, Department, Employee, EmployeeTerms, Position
from shopkpi.appraisal.models.pay import ActionItem, PayAdjustment
from shopkpi.appraisal.models.pay_grades import AdjustmentRule, EmployeePayGrade, PayProposal, PayStep
from shopkpi.appraisal.models.peer_ratings import PeerRater
from shopkpi.appraisal.models.reopen import ReopenRequest
from shopkpi.appraisal.models.reviews import (
    Appeal,
    Interview,
    Override,
    Rating,
    Review,
    ReviewSnapshot,
    Transition,
)
from shopkpi.appraisal.models.spot_checks import SpotCheckCase, SpotCheckDraw
from shopkpi.appraisal.models.warehouse import WarehouseBatch, WarehouseBatchAccount

__all__ = [
    "Account",
    "ActionItem",
    "AdjustmentRule",
    "ApiToken",
    "Appeal",
    "AppealPoint",
    "ApprovalStep",
    "AuditEntry",
    "CalibrationTarget",
    "CompanySettings",
    "Cycle",
    "CycleTemplate",
    "Delivery",
    "Department",
    "DistributionConfirmation",
    "Employee",
    "EmployeePayGrade",
    "EmployeeTerms",
    "GradeCalibration",
    "Incident",
    "IncidentEvidence",
    "Interview",
    "Job",
    "LoginAttempt",
    "LoginProfile",
    "MonthComputation",
    "Notice",
    "Override",
    "PayAdjustment",
    "PayProposal",
    "PayStep",
    "PeerRater",
    "Position",
    "Rating",
    "ReopenRequest",
    "Review",
    "ReviewSnapshot",
    "ReviewStep",
    "RowOverride",
    "SpotCheckCase",
    "SpotCheckDraw",
    "TemplateVersion",
    "Transition",
    "WarehouseBatch",
    "WarehouseBatchAccount",
]
