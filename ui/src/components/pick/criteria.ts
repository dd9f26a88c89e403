// The score's criteria in the order the page shows them, with their words.
import type { MessageKey } from '../../lib/i18n';
import type { Parts } from '../../bindings/Parts';
import type { Weights } from '../../bindings/Weights';

export type Criterion = keyof Weights & keyof Parts;

export const CRITERIA: readonly Criterion[] = [
  'price',
  'sales',
  'service',
  'repurchase',
  'pickup',
  'qualityRefund',
  'tpYears',
];

export const criterionKey = (criterion: Criterion): MessageKey => `pick.criterion.${criterion}`;
