import { describe, expect, it } from 'vitest';
import { badFields, emptyForm, formOf, requestOf } from './need';

describe('the need form', () => {
  it('makes the request as typed, exact and with unset fields null', () => {
    const form = {
      ...emptyForm(),
      keywords: ' 保温杯 ',
      quantity: '500',
      maxPrice: '15.50',
      provinces: '浙江，广东、 江苏',
      minRepurchase: '30.5',
      powerMerchant: true,
    };
    const request = requestOf(form)!;
    expect(request.keywords).toBe('保温杯');
    expect(request.quantity).toBe(500);
    expect(request.maxUnitPrice).toBe('15.50');
    expect(request.provinces).toEqual(['浙江', '广东', '江苏']);
    expect(request.minRepurchase).toEqual({ basisPoints: 3050 });
    expect(request.maxMoq).toBeNull();
    expect(request.minPickup48h).toBeNull();
    expect([request.pages, request.top]).toEqual([3, 10]);
    expect(formOf(request)).toEqual({ ...form, keywords: '保温杯', provinces: '浙江, 广东, 江苏' });
  });

  it('names every unusable field and makes no request', () => {
    const form = { ...emptyForm(), keywords: '杯', quantity: '', maxPrice: '¥5', minPickup: '120', top: '3' };
    expect(badFields(form)).toEqual(['quantity', 'maxPrice', 'minPickup']);
    expect(requestOf(form)).toBeNull();
    expect(badFields({ ...form, quantity: '1', maxPrice: '5', minPickup: '' })).toEqual([]);
  });
});
