import { personalDataIn, personalDataInClear } from '../src';

describe('personal data recognised in a clear-text field', () => {
  it.each([
    ['sam@example.org', 'an email address'],
    ['Contact: s.resident+hms@council.gov.uk', 'an email address'],
    ['07700 900123', 'a telephone number'],
    ['call 07700900123 after 5', 'a telephone number'],
    ['+44 (0)20 7946 0958', 'a telephone number'],
    ['Tel: 020-7946-0958', 'a telephone number'],
    ['Flat 2, SW1A 1AA', 'a postcode'],
    ['M1 1AE', 'a postcode'],
    ['flat 2, sw1a 1aa', 'a postcode'],
    ['B2 3ND', 'a postcode'],
    ['EC1A 1BB', 'a postcode'],
    ['07700.900.123', 'a telephone number'],
    // a date after it, a dot before it, the 00 prefix, two spaces or a no-break space in a postcode (found by a helper reviewing)
    ['Resident on 07700 900123 15 May', 'a telephone number'],
    ['Tel.07700 900123', 'a telephone number'],
    ['0044 7700 900123', 'a telephone number'],
    ['SW1A  1AA', 'a postcode'],
    ['SW1A\u00a01AA', 'a postcode'],
  ])('%s is %s', (text, what) => expect(personalDataIn(text)).toBe(what));

  it.each([
    'repairs',
    'SR-01234567890',
    "RES-1001 (O'Brien)",
    'AB12CD',
    '2024-05-01',
    'H1',
    'CASE 12345678',
    'damp and mould',
    'REF 0123 456',
    // a landlord's block and floor, an estate's tower and lift, a quarter: ordinals and letters no postcode has
    'Contractor needs access to block B2 3rd floor',
    'Awaiting Q1 2nd survey from the surveyor',
    'Damp in flat C4 1st floor',
    'Repairs - Tower A1 2nd lift',
    'BLOCK B2 3RD FLOOR',
    'Flat 4, C2 1ST FLOOR',
    '10:30 07/05/2024',
    'Q3 4AB',
  ])('%s is not', (text) => expect(personalDataIn(text)).toBeNull());

  it("takes no identifier for a telephone number: a complaint's id derived from a reference may start with eleven digits", () => {
    expect(personalDataIn('00020950-937f-8278-8d0c-3b7c5f7a9e21')).toBeNull(); // its digits alone read as 00020950937
    expect(personalDataIn('jwt:00020950-937f-4278-8d0c-3b7c5f7a9e21')).toBeNull(); // a JWT subject that is one
    expect(
      personalDataInClear('ReceiveComplaint', { complaintId: '00020950-937f-8278-8d0c-3b7c5f7a9e21', category: 'repairs' }),
    ).toBeNull();
    expect(personalDataInClear('OfferRemedy', { remedyId: '07700900-1234-4abc-8def-0123456789ab' })).toBeNull();
  });

  it('looks only where the ledger keeps data in clear: a summary, a name, a remedy description are encrypted', () => {
    expect(
      personalDataInClear('ReceiveComplaint', {
        summary: 'Call me on 07700 900123',
        resident: { reference: 'RES-1', name: 'Sam', phone: '07700 900123', email: 'sam@example.org' },
        category: 'repairs',
      }),
    ).toBeNull();
    expect(personalDataInClear('ReceiveComplaint', { resident: { reference: 'sam@example.org' } })).toEqual({
      field: 'resident.reference',
      looksLike: 'an email address',
    });
    expect(personalDataInClear('RespondToComplaint', { remedies: [{ type: 'apology', description: 'to sam@example.org' }] })).toBeNull();
    expect(personalDataInClear('AcknowledgeComplaint', { handler: 'h.officer@landlord.org.uk' })).toEqual({
      field: 'handler',
      looksLike: 'an email address',
    });
    expect(personalDataInClear('ExtendDeadline', { reason: 'Waiting for SW1A 1AA survey' })).toEqual({
      field: 'reason',
      looksLike: 'a postcode',
    });
  });
});
