/**
 * Which of a company's deals a grid goes to, by the mapping's deal.find, and the sentence that says why
 * (shown on the grid's status). Pure: the adapters have already kept only the deals that count.
 */
import type { DealCandidate } from '../crm/crm-client.ts';
import type { DealFindRule } from '../mapping/mapping-schema.ts';

export interface PickedDeal {
  deal: DealCandidate;
  reason: string;
}

/** "open deals of Ledgerline in pipeline default": the deals the rule lets count, in words. */
export function describeDealScope(rule: DealFindRule, companyName: string): string {
  const stages = rule.stages === 'open' ? 'open deals' : `deals in stage ${stageList(rule.stages)}`;
  return `${stages} of ${companyName}${whereOf(rule)}`;
}

/** "waiting for a deal of Ledgerline in pipeline default (an open stage)": the status while none counts. */
export function describeWaiting(rule: DealFindRule, companyName: string): string {
  const stages = rule.stages === 'open' ? 'an open stage' : `stage ${stageList(rule.stages)}`;
  return `waiting for a deal of ${companyName}${whereOf(rule)} (${stages})`;
}

const PICK_WORDS: Readonly<Record<DealFindRule['pick'], string>> = {
  most_recently_created: 'the most recently created',
  most_recently_modified: 'the most recently modified',
  largest_amount: 'the largest',
  associated_with_contact: "the one the grid's contact is on (else the most recently created)",
};

/** "the most recently created of the open deals of Ledgerline in pipeline default": the rule's choice, in words. */
export function describeRule(rule: DealFindRule, companyName: string): string {
  return `${PICK_WORDS[rule.pick]} of the ${describeDealScope(rule, companyName)}`;
}

function whereOf(rule: DealFindRule): string {
  const parts = [
    rule.pipelines ? ` in pipeline ${rule.pipelines.join(' or ')}` : '',
    rule.recordTypes ? ` of record type ${rule.recordTypes.join(' or ')}` : '',
  ];
  return parts.join('');
}

function stageList(stages: readonly string[]): string {
  return stages.map((s) => `"${s}"`).join(' or ');
}

const newest = (a: DealCandidate, b: DealCandidate, key: 'createdAt' | 'modifiedAt') =>
  Date.parse(b[key]) - Date.parse(a[key]) || compareIds(b.id, a.id);

function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

/** The winner among the candidates, or undefined when there are none. Ties go to the newer record. */
export function pickDeal(
  candidates: readonly DealCandidate[],
  rule: DealFindRule,
  scope: string,
  contact?: { id: string; label: string },
): PickedDeal | undefined {
  if (candidates.length === 0) return undefined;
  const byCreated = [...candidates].sort((a, b) => newest(a, b, 'createdAt'));
  const [first] = byCreated as [DealCandidate, ...DealCandidate[]];
  const of = `${candidates.length} ${scope}`;
  if (candidates.length === 1) return { deal: first, reason: `the only one of the ${scope}` };

  switch (rule.pick) {
    case 'most_recently_created':
      return { deal: first, reason: `the most recently created of ${of} (created ${day(first.createdAt)})` };
    case 'most_recently_modified': {
      const [deal] = [...candidates].sort((a, b) => newest(a, b, 'modifiedAt')) as [DealCandidate];
      return { deal, reason: `the most recently modified of ${of} (modified ${day(deal.modifiedAt)})` };
    }
    case 'largest_amount': {
      const [deal] = [...byCreated].sort((a, b) => (b.amount ?? -1) - (a.amount ?? -1)) as [DealCandidate];
      return deal.amount === undefined
        ? { deal, reason: `the most recently created of ${of}: none has an amount` }
        : { deal, reason: `the largest amount (${deal.amount.toLocaleString('en-US')}) of ${of}` };
    }
    case 'associated_with_contact': {
      const withContact = contact ? byCreated.filter((d) => d.contactIds.includes(contact.id)) : [];
      const [deal] = withContact;
      if (deal && contact) {
        const among =
          withContact.length > 1 ? `, the most recently created of ${withContact.length} such` : '';
        return { deal, reason: `the one of ${of} that ${contact.label} is on${among}` };
      }
      const who = contact
        ? `${contact.label} is on none of them`
        : 'the grid names no contact found in the CRM';
      return { deal: first, reason: `the most recently created of ${of}: ${who}` };
    }
  }
}

function day(iso: string): string {
  return iso.slice(0, 10);
}
