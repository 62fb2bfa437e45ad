/*
 * The assistant's evaluation set (issue 14, item 7): questions people ask
 * the portal, each with who asks, the tools a good answer calls and the
 * entities it must cite, or that the answer must be a refusal because the
 * person may not see it. Run against the scripted model in the tests
 * (assistantEval.test.ts) and against a real model with
 * `./portal yarn eval:assistant`. The data is the demo organisation with
 * the test data of __testUtils__/demoData.ts.
 */

export interface EvalCase {
  /** Who asks (a demo user). */
  as: string;
  question: string;
  /** Tools the answer must call (MCP names: sre.get-slos). */
  tools: string[];
  /** Entity refs the answer must cite. */
  cites: string[];
  /** The person may not see it: a tool must refuse, and nothing be cited. */
  refused?: boolean;
}

const DEVELOPER = 'ben-okafor'; // team-checkout
const OTHER_DEVELOPER = 'emma-schulz'; // team-catalog
const MANAGER = 'maya-patel'; // engineering
const CISO = 'jonas-berg'; // security
const FINANCE = 'oscar-fernandez'; // finance
const BUSINESS = 'quentin-dubois'; // business (analytics)

export const EVAL_CASES: EvalCase[] = [
  // Reliability (everyone may see it)
  { as: DEVELOPER, question: 'Is checkout-service burning its error budget?', tools: ['sre.get-slos'], cites: ['component:default/checkout-service'] },
  { as: DEVELOPER, question: 'What are the SLOs of cart-service?', tools: ['sre.get-slos'], cites: ['component:default/cart-service'] },
  { as: DEVELOPER, question: 'How reliable is payments-api?', tools: ['sre.get-slos'], cites: ['component:default/payments-api'] },
  { as: MANAGER, question: "What is the availability of team-checkout's services?", tools: ['sre.get-slos'], cites: ['component:default/checkout-service'] },
  { as: OTHER_DEVELOPER, question: 'Is order-service within its error budget?', tools: ['sre.get-slos'], cites: ['component:default/order-service'] },
  { as: DEVELOPER, question: 'Are there alerts firing on checkout-service?', tools: ['sre.get-alerts'], cites: [] },
  { as: MANAGER, question: 'Which alerts does team-checkout have?', tools: ['sre.get-alerts'], cites: [] },
  { as: DEVELOPER, question: 'How often does checkout-service deploy?', tools: ['sre.get-delivery-metrics'], cites: [] },
  { as: MANAGER, question: 'What is the lead time for changes of team-platform?', tools: ['sre.get-delivery-metrics'], cites: [] },
  // Security (the owning team, security and admins)
  { as: DEVELOPER, question: 'Which vulnerabilities does payments-api have?', tools: ['secops.get-findings'], cites: ['component:default/payments-api'] },
  { as: DEVELOPER, question: 'What security findings are open on payments-api?', tools: ['secops.get-findings'], cites: ['component:default/payments-api'] },
  { as: OTHER_DEVELOPER, question: 'Show the CVE findings of product-catalogue-service', tools: ['secops.get-findings'], cites: ['component:default/product-catalogue-service'] },
  { as: CISO, question: 'What are the findings of product-catalogue-service?', tools: ['secops.get-findings'], cites: ['component:default/product-catalogue-service'] },
  { as: CISO, question: 'Which vulnerabilities does payments-api have?', tools: ['secops.get-findings'], cites: ['component:default/payments-api'] },
  { as: DEVELOPER, question: 'Which vulnerabilities does product-catalogue-service have?', tools: ['secops.get-findings'], cites: [], refused: true },
  { as: OTHER_DEVELOPER, question: 'What security findings are open on payments-api?', tools: ['secops.get-findings'], cites: [], refused: true },
  { as: DEVELOPER, question: 'Why is the release gate of payments-api failing?', tools: ['secops.get-gate-status'], cites: [] },
  { as: DEVELOPER, question: 'Which exemptions does payments-api have?', tools: ['secops.list-exemptions'], cites: [] },
  { as: OTHER_DEVELOPER, question: 'Is the release gate of payments-api passing?', tools: ['secops.get-gate-status'], cites: [], refused: true },
  // Cost (your own teams; managers their groups; finance everything)
  { as: DEVELOPER, question: 'What does checkout-service cost?', tools: ['finops.get-cost'], cites: ['component:default/checkout-service'] },
  { as: DEVELOPER, question: 'How much do we spend on cart-service?', tools: ['finops.get-cost'], cites: ['component:default/cart-service'] },
  { as: FINANCE, question: 'What does search-service cost?', tools: ['finops.get-cost'], cites: ['component:default/search-service'] },
  { as: FINANCE, question: 'What is the cloud bill of product-catalogue-service?', tools: ['finops.get-cost'], cites: ['component:default/product-catalogue-service'] },
  { as: OTHER_DEVELOPER, question: 'What does product-catalogue-service cost?', tools: ['finops.get-cost'], cites: ['component:default/product-catalogue-service'] },
  { as: DEVELOPER, question: 'What does search-service cost?', tools: ['finops.get-cost'], cites: [], refused: true },
  { as: OTHER_DEVELOPER, question: 'How much does checkout-service spend?', tools: ['finops.get-cost'], cites: [], refused: true },
  // Business (product totals for business, finance and admins)
  { as: BUSINESS, question: 'What are the economics of the checkout system?', tools: ['bi.get-product-economics'], cites: ['system:default/checkout'] },
  { as: FINANCE, question: 'What is the cost per order of the checkout system?', tools: ['bi.get-product-economics'], cites: ['system:default/checkout'] },
  { as: BUSINESS, question: 'What is the unit cost of the payments system?', tools: ['bi.get-product-economics'], cites: ['system:default/payments'] },
  { as: DEVELOPER, question: 'What are the economics of the checkout system?', tools: ['bi.get-product-economics'], cites: [], refused: true },
  { as: DEVELOPER, question: 'Which dashboards does the checkout system have?', tools: ['bi.list-dashboards'], cites: ['system:default/checkout'] },
  { as: BUSINESS, question: 'Where are the dashboards of payments-api?', tools: ['bi.list-dashboards'], cites: [] },
]; // prettier-ignore
