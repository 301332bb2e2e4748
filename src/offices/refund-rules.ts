import type { AttemptFault, RefundRules } from './offices.table.ts';

/** Refund rules as the API takes them: every reason optional (a JSON object cannot say "absent" otherwise). */
export interface RefundRulesInput {
  faultByReason: Record<string, AttemptFault | undefined>;
  citizenFault: RefundRules['citizenFault'];
}

/** Stored without the reasons left out: an unlisted reason is the company's fault, whatever the key says. */
export const toRefundRules = (input: RefundRulesInput): RefundRules => ({
  faultByReason: Object.fromEntries(
    Object.entries(input.faultByReason).filter((entry): entry is [string, AttemptFault] => entry[1] !== undefined),
  ),
  citizenFault: input.citizenFault,
});
