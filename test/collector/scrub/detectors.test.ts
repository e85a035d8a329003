import { describe, expect, it } from 'vitest';
import { replaceCardNumbers } from '../../../collector/scrub/detectors/card.js';
import { replaceEmails } from '../../../collector/scrub/detectors/email.js';
import { passesIbanChecksum, replaceIbans } from '../../../collector/scrub/detectors/iban.js';
import { replaceIpAddresses } from '../../../collector/scrub/detectors/ip.js';
import { replaceJwts } from '../../../collector/scrub/detectors/jwt.js';
import { replaceLongIds } from '../../../collector/scrub/detectors/long-id.js';
import { passesLuhn } from '../../../collector/scrub/detectors/luhn.js';
import { replacePhoneNumbers } from '../../../collector/scrub/detectors/phone.js';
import { replaceSessionParams } from '../../../collector/scrub/detectors/session-param.js';
import { replaceTokens } from '../../../collector/scrub/detectors/token.js';
import { replaceUuids } from '../../../collector/scrub/detectors/uuid.js';
import { scrubText } from '../../../collector/scrub/scrub-text.js';

/**
 * One table per detector: values it must replace (with the exact output), and near-misses that
 * must survive both the detector and the whole `text` profile, so no later detector eats them.
 */

const JWT_HS256 =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U';

describe('replaceEmails', () => {
  it.each([
    ['jane@example.com', ':email'],
    ['Jane.Doe+shop@Example.CO.uk', ':email'],
    ['jane%40example.com', ':email'],
    ['JANE%40EXAMPLE.COM', ':email'],
    ['contact: jane_doe-1@mail.example.org.', 'contact: :email.'],
    ['jürgen@müller.de', ':email'],
    ['mailto:jane@example.com', 'mailto::email'],
    ['jane@192.168.1.1', ':email'],
    ['a jane@example.com and joe@example.org', 'a :email and :email'],
    ["o'brien@example.com", ':email'],
    ['a@0x.io', ':email'],
    ['see jane@example.com.42', 'see :email.42'],
  ])('replaces the address in %j with :email', (input, expected) => {
    expect(replaceEmails(input)).toBe(expected);
  });

  it.each(['logo@2x.png', 'icon@1.5x.webp', '@nike', 'cli@4.5.0', 'price: 19.99', 'user@localhost'])(
    'keeps %j, which is not an address',
    (input) => {
      expect(replaceEmails(input)).toBe(input);
    },
  );
});

describe('replacePhoneNumbers', () => {
  it.each([
    ['+49 151 1234 5678', ':phone'],
    ['+4915112345678', ':phone'],
    ['+49 (0)151 12345678', ':phone'],
    ['(+49) 151 12345678', ':phone'],
    ['+1-555-123-4567', ':phone'],
    ['(555) 123-4567', ':phone'],
    ['555-123-4567', ':phone'],
    ['555.123.4567', ':phone'],
    ['0151-12345678', ':phone'],
    ['0151 12345678', ':phone'],
    ['030/1234567', ':phone'],
    ['06 12 34 56 78', ':phone'],
    ['0049 151 12345678', ':phone'],
    ['call 0800 123 456 today', 'call :phone today'],
    ['(call 0151 1234567)', '(call :phone)'],
    ['25.11.2026 0151 1234567', '25.11.2026 :phone'],
  ])('replaces the number in %j with :phone', (input, expected) => {
    expect(replacePhoneNumbers(input)).toBe(expected);
  });

  it.each([
    '2026-11-25',
    '25.11.2026',
    '11/25/2026',
    '2026/11/25',
    '2026-11-25 10',
    '2025-2026',
    '38 39 40 41',
    '1 2 3 4 5 6 7 8',
    '1,299.00',
    '19.99',
    'SKU-1234-5678',
    'SKU-1234-XL',
    '12345678',
    '+49 151',
    '/page/2',
  ])('keeps %j, which is not a phone number', (input) => {
    expect(replacePhoneNumbers(input)).toBe(input);
  });
});

describe('replaceCardNumbers', () => {
  it.each([
    ['4111111111111111', ':card'],
    ['4111 1111 1111 1111', ':card'],
    ['4111-1111-1111-1111', ':card'],
    ['5555555555554444', ':card'],
    ['378282246310005', ':card'],
    ['3782 822463 10005', ':card'],
    ['6011111111111117', ':card'],
    ['4222222222222', ':card'],
    ['order4111111111111111', 'order:card'],
    ['card 4111 1111 1111 1111 exp 12/27', 'card :card exp 12/27'],
  ])('replaces the card number in %j with :card', (input, expected) => {
    expect(replaceCardNumbers(input)).toBe(expected);
  });

  it.each([
    '4111111111111112',
    '4111 1111 1111 1112',
    '+4915112345678',
    '12345678901234567890',
    '411111111111',
    '1,299.00',
  ])('keeps %j, which is not a card number', (input) => {
    expect(replaceCardNumbers(input)).toBe(input);
  });

  it('replaces only grouped, free-standing card numbers when separators are required', () => {
    const options = { requireSeparators: true };
    expect(replaceCardNumbers('4111 1111 1111 1111', options)).toBe(':card');
    expect(replaceCardNumbers('4111-1111-1111-1111', options)).toBe(':card');
    expect(replaceCardNumbers('4111111111111111', options)).toBe('4111111111111111');
    expect(replaceCardNumbers('x4111-1111-1111-1111', options)).toBe('x4111-1111-1111-1111');
    expect(replaceCardNumbers('550e8400-e29b-41d4-a716-446655440000', options)).toBe(
      '550e8400-e29b-41d4-a716-446655440000',
    );
  });

  it('checks Luhn digits the way card issuers do', () => {
    expect(passesLuhn('79927398713')).toBe(true);
    expect(passesLuhn('79927398710')).toBe(false);
  });
});

describe('replaceIbans', () => {
  it.each([
    ['DE89 3704 0044 0532 0130 00', ':iban'],
    ['DE89370400440532013000', ':iban'],
    ['de89 3704 0044 0532 0130 00', ':iban'],
    ['GB29 NWBK 6016 1331 9268 19', ':iban'],
    ['NL91ABNA0417164300', ':iban'],
    ['FR14 2004 1010 0505 0001 3M02 606', ':iban'],
    ['NO9386011117947', ':iban'],
    ['MT84MALT011000012345MTLCAST001S', ':iban'],
    ['IBAN: DE89370400440532013000.', 'IBAN: :iban.'],
    ['XX12 DE89 3704 0044 0532 0130 00', 'XX12 :iban'],
    ['DE89 3704 0044 0532 0130 00 thanks', ':iban thanks'],
  ])('replaces the IBAN in %j with :iban', (input, expected) => {
    expect(replaceIbans(input)).toBe(expected);
  });

  it.each([
    'DE89 3704 0044 0532 0130 01',
    'DE8937040044053201300',
    'DE89370400440532013000X',
    'QQ12345678901234567',
    'AB12CDEF34567890',
  ])('keeps %j, which is not a valid IBAN', (input) => {
    expect(replaceIbans(input)).toBe(input);
  });

  it('checks the ISO 7064 mod-97 digits', () => {
    expect(passesIbanChecksum('GB82WEST12345698765432')).toBe(true);
    expect(passesIbanChecksum('GB82WEST12345698765433')).toBe(false);
  });
});

describe('replaceUuids', () => {
  it.each([
    ['550e8400-e29b-41d4-a716-446655440000', ':uuid'],
    ['6BA7B810-9DAD-11D1-80B4-00C04FD430C8', ':uuid'],
    ['00000000-0000-0000-0000-000000000000', ':uuid'],
    ['550e8400e29b41d4a716446655440000', ':uuid'],
    ['/cart/550e8400-e29b-41d4-a716-446655440000/items', '/cart/:uuid/items'],
    ['id550e8400-e29b-41d4-a716-446655440000x', 'id:uuidx'],
  ])('replaces the UUID in %j with :uuid', (input, expected) => {
    expect(replaceUuids(input)).toBe(expected);
  });

  it.each(['550e8400-e29b-41d4-a716', 'g550e8400e29b41d4a716446655440000', 'deadbeef-cafe'])(
    'keeps %j, which is not a whole UUID',
    (input) => {
      expect(replaceUuids(input)).toBe(input);
    },
  );
});

describe('replaceJwts', () => {
  it.each([
    [JWT_HS256, ':jwt'],
    ['eyJhbGciOiJub25lIn0.eyJzdWIiOiJqYW5lIn0.', ':jwt'],
    [`Bearer ${JWT_HS256}`, 'Bearer :jwt'],
    [`/reset/${JWT_HS256}/confirm`, '/reset/:jwt/confirm'],
    [
      'eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00ifQ.OKOawDo13gRp2ojaHV7LFpZcgV7T6DVZKTyKOMTYUmKoTCVJRgckCL9kiMT03JGe.48V1_ALb6US04U3b.5eym8TW_c8SuK0ltJ3rpYIzOeDQz7TALvtu6UG9oMo4vpzs9tX_EFShS8iB7j6ji.XFBoMYUZodetZdvTiFvSkQ',
      ':jwt',
    ],
  ])('replaces the token in %j with :jwt', (input, expected) => {
    expect(replaceJwts(input)).toBe(expected);
  });

  it.each(['eyJ', 'eyJhbGciOiJIUzI1NiJ9', 'version 1.2.3', 'keyJar.one.two'])(
    'keeps %j, which is not a JWT',
    (input) => {
      expect(replaceJwts(input)).toBe(input);
    },
  );
});

describe('replaceTokens', () => {
  it.each([
    ['d41d8cd98f00b204e9800998ecf8427e', ':token'],
    ['da39a3ee5e6b4b0d3255bfef95601890afd80709', ':token'],
    ['a1b2c3d4e5f60718', ':token'],
    ['DEADBEEF12345678', ':token'],
    ['deadbeefdeadbeefdeadbeefdeadbeef', ':token'],
    ['Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MA', ':token'],
    ['dGhpcyBpcyBhIHNlY3JldCBrZXkgMTIz+/Ab==', ':token'],
    ['session Xk9_pQ2-mZ7vR4sT1uW8yB3nC6dF0hJ5 end', 'session :token end'],
    ['/p/red-shoes-0123456789abcdef', '/p/red-shoes-:token'],
    ['HomepageHeroBanner2026Q3', ':token'],
  ])('replaces the secret in %j with :token', (input, expected) => {
    expect(replaceTokens(input)).toBe(expected);
  });

  it.each(['1234567890123456', 'abcdef0123'])(
    'leaves %j, which is not a secret by shape, to other detectors',
    (input) => {
      expect(replaceTokens(input)).toBe(input);
    },
  );

  it.each([
    'deadbeefcafebabe',
    'Summer-Sale-2026-Homepage-Banner',
    'HP_Banner_Summer26_Slot3_Mobile',
    'Samsung-Galaxy-S24-Ultra-256GB',
    'Nike-Air-Max-90-White-42EU',
    'CheckoutButton_Step2_Confirm',
    'StrengthTrainingDumbbells2026',
    'red-running-shoes-for-women-size-42',
    'ABCDEFGHIJKLMNOPQRSTUVWXYZ123',
    'Internationalisation',
  ])('keeps %j, which reads as words', (input) => {
    expect(replaceTokens(input)).toBe(input);
    expect(scrubText(input, 'text')).toBe(input);
  });
});

describe('replaceSessionParams', () => {
  it.each([
    [';jsessionid=0A1B2C3D', ';jsessionid=:token'],
    ['PHPSESSID=abc', 'PHPSESSID=:token'],
    ['sid=x1&page=2', 'sid=:token&page=2'],
    ['access_token=abc.def', 'access_token=:token'],
    ['api_key = secret', 'api_key = :token'],
    ['password=hunter2', 'password=:token'],
    ['code=SUMMER', 'code=:token'],
    ['sid=:evil', 'sid=:token'],
  ])('replaces the value in %j with :token', (input, expected) => {
    expect(replaceSessionParams(input)).toBe(expected);
  });

  it.each(['monkey=banana', 'size=42', 'sid=:token', 'token=:jwt', 'session over'])(
    'keeps %j, which carries no secret',
    (input) => {
      expect(replaceSessionParams(input)).toBe(input);
    },
  );
});

describe('replaceIpAddresses', () => {
  it.each([
    ['192.168.1.23', ':ip'],
    ['10.0.0.1', ':ip'],
    ['from 8.8.8.8.', 'from :ip.'],
    ['2001:db8::8a2e:370:7334', ':ip'],
    ['2001:0DB8:85A3:0000:0000:8A2E:0370:7334', ':ip'],
    ['fe80::1', ':ip'],
    ['::ffff:192.0.2.1', ':ip'],
    ['[2001:db8::1]:8080', '[:ip]:8080'],
    ['cafe2001:db8::1', 'cafe:ip'],
    ['at 2001:db8::1.', 'at :ip.'],
  ])('replaces the address in %j with :ip', (input, expected) => {
    expect(replaceIpAddresses(input)).toBe(expected);
  });

  it.each(['1.2.3', '256.1.1.1', '12:30:45', '::1', '::', 'version 10.15.7', 'de:ad:be:ef', ':email:id'])(
    'keeps %j, which identifies nobody',
    (input) => {
      expect(replaceIpAddresses(input)).toBe(input);
    },
  );
});

describe('replaceLongIds', () => {
  it.each([
    ['12345678', ':id'],
    ['orders/123456', 'orders/:id'],
    ['order_123456', 'order_:id'],
    ['id=1234567', 'id=:id'],
    ['ORD20261125001', 'ORD:id'],
    ['1234 5678 9012 3456 7890', ':id'],
    ['20261125', ':id'],
    ['customer 987654 ordered', 'customer :id ordered'],
  ])('replaces the id in %j with :id', (input, expected) => {
    expect(replaceLongIds(input)).toBe(expected);
  });

  it.each([
    '19.99',
    '1,299.00',
    '2026-11-25',
    '25.11.2026',
    '2026',
    '/page/2',
    'size 42',
    'SKU-1234-XL',
    'abc123',
    'abc123456',
    '/p/red-shoes-42',
    'iphone15',
    'EAN 12345',
  ])('keeps %j, which is not an id', (input) => {
    expect(replaceLongIds(input)).toBe(input);
    expect(scrubText(input, 'text')).toBe(input);
  });
});
