// The need form as typed (text, so nothing is lost or guessed) and the request it makes. A
// field whose text is not a usable value is named, never silently left out of the request.
import { decimalText, percent, percentInput, wholeNumber } from '../../lib/format';
import type { Percent } from '../../bindings/Percent';
import type { PickRequest } from '../../bindings/PickRequest';

export interface NeedForm {
  keywords: string;
  quantity: string;
  maxPrice: string;
  maxMoq: string;
  powerMerchant: boolean;
  superFactory: boolean;
  manufacturer: boolean;
  provinces: string;
  minTpYears: string;
  minRepurchase: string;
  minSold: string;
  minPickup: string;
  maxRefund: string;
  inStock: boolean;
  pages: string;
  top: string;
}

/** The typed fields and how each is read; an empty optional field is unset. */
const readers = {
  quantity: wholeNumber,
  maxPrice: decimalText,
  maxMoq: wholeNumber,
  minTpYears: wholeNumber,
  minRepurchase: percentInput,
  minSold: wholeNumber,
  minPickup: percentInput,
  maxRefund: percentInput,
  pages: wholeNumber,
  top: wholeNumber,
} as const;

export type NeedField = keyof typeof readers;

/** Fields that must be set for a pick to run. */
const required: NeedField[] = ['quantity', 'pages', 'top'];

export function emptyForm(): NeedForm {
  // Quantity, pages and picks start as the Rust side's defaults would be shown by a request.
  return {
    keywords: '',
    quantity: '',
    maxPrice: '',
    maxMoq: '',
    powerMerchant: false,
    superFactory: false,
    manufacturer: false,
    provinces: '',
    minTpYears: '',
    minRepurchase: '',
    minSold: '',
    minPickup: '',
    maxRefund: '',
    inStock: false,
    pages: '3',
    top: '10',
  };
}

/** The fields whose text cannot be used (a required one also when empty). */
export function badFields(form: NeedForm): NeedField[] {
  return (Object.keys(readers) as NeedField[]).filter((field) => {
    const text = form[field].trim();
    if (text === '') return required.includes(field);
    return readers[field](text) === null;
  });
}

/** Provinces as typed: separated by commas (either width), 、 or spaces. */
function provinces(text: string): string[] {
  return text.split(/[,，、\s]+/).filter(Boolean);
}

/** The request the form makes, or null while a field is unusable (see `badFields`). The
 * Rust side checks the ranges (pages 1–10, picks 1–100) and says what is wrong. */
export function requestOf(form: NeedForm): PickRequest | null {
  if (badFields(form).length > 0) return null;
  return {
    keywords: form.keywords.trim(),
    quantity: wholeNumber(form.quantity) ?? 0,
    maxUnitPrice: decimalText(form.maxPrice),
    maxMoq: wholeNumber(form.maxMoq),
    powerMerchant: form.powerMerchant,
    superFactory: form.superFactory,
    manufacturer: form.manufacturer,
    provinces: provinces(form.provinces),
    minTpYears: wholeNumber(form.minTpYears),
    minRepurchase: percentInput(form.minRepurchase),
    minSold: wholeNumber(form.minSold),
    minPickup48h: percentInput(form.minPickup),
    maxQualityRefund: percentInput(form.maxRefund),
    inStock: form.inStock,
    pages: wholeNumber(form.pages) ?? 0,
    top: wholeNumber(form.top) ?? 0,
  };
}

/** A percentage as the form takes it back: 3050 basis points → "30.5". */
function percentField(value: Percent | null): string {
  return value == null ? '' : percent(value).replace('%', '');
}

const numberField = (value: number | null) => (value == null ? '' : String(value));

/** The form that makes `request` (to reopen, rerun or prefill a need). */
export function formOf(request: PickRequest): NeedForm {
  return {
    keywords: request.keywords,
    quantity: String(request.quantity),
    maxPrice: request.maxUnitPrice ?? '',
    maxMoq: numberField(request.maxMoq),
    powerMerchant: request.powerMerchant,
    superFactory: request.superFactory,
    manufacturer: request.manufacturer,
    provinces: request.provinces.join(', '),
    minTpYears: numberField(request.minTpYears),
    minRepurchase: percentField(request.minRepurchase),
    minSold: numberField(request.minSold),
    minPickup: percentField(request.minPickup48h),
    maxRefund: percentField(request.maxQualityRefund),
    inStock: request.inStock,
    pages: String(request.pages),
    top: String(request.top),
  };
}
