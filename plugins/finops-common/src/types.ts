// What the FinOps backend answers (CostPoint, CostShare, CostSummary,
// GroupCost, BudgetStatus, CostAlert, AllocationResult, ImportRun,
// SourceStatus, CostSeries, OrganisationCost, UnattributedSpend,
// Recommendation, TeamCostSummary, MyCostSummary and the pages and bodies
// around them) is the spec's (plugins/finops-backend/src/schema/openapi.yaml),
// generated into ./schema/openapi.

/** A page of a list (cost lists come biggest first; one definition for every family). */
export type { Page } from '@portal/common';
