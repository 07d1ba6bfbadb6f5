import { describe, expect, it } from 'vitest';
import { canonicalDestination, DestinationError, displayDestination, formatDestination, parseDestination } from './destination.js';

describe('parseDestination', () => {
  it('parses every platform', () => {
    expect(parseDestination('console:ops')).toEqual({ platform: 'console', address: 'ops' });
    expect(parseDestination('webhook:https://example.org/hook?x=1')).toEqual({ platform: 'webhook', address: 'https://example.org/hook?x=1' });
    expect(parseDestination('webhook:http://127.0.0.1:8080/h')).toEqual({ platform: 'webhook', address: 'http://127.0.0.1:8080/h' });
    expect(parseDestination('slack:T0123ABCD/C0456EFGH')).toEqual({ platform: 'slack', address: 'T0123ABCD/C0456EFGH' });
    expect(parseDestination('teams:19:abc123@thread.tacv2')).toEqual({ platform: 'teams', address: '19:abc123@thread.tacv2' });
    expect(parseDestination('teams-workflow:https://prod.example.logic.azure.com/workflows/1?sig=abc')).toEqual({
      platform: 'teams-workflow',
      address: 'https://prod.example.logic.azure.com/workflows/1?sig=abc',
    });
  });

  it('canonicalises: platform case, URL host case, fragment, surrounding blanks', () => {
    expect(canonicalDestination('  WEBHOOK:https://Example.ORG/hook#frag ')).toBe('webhook:https://example.org/hook');
    expect(formatDestination(parseDestination('Console:ops'))).toBe('console:ops');
  });

  it('refuses bad input with an explanation', () => {
    const cases: Array<[string, RegExp]> = [
      ['', /empty/],
      ['ops', /not a destination/],
      ['email:a@b.c', /unknown platform "email"/],
      ['console:', /no address/],
      ['console:has space', /console:<name>/],
      ['webhook:not a url', /webhook:<http\(s\) URL>/],
      ['webhook:ftp://example.org/x', /http or https/],
      ['webhook:https://user:pw@example.org/x', /user name or password/],
      ['teams-workflow:http://example.org/x', /must use https/],
      ['slack:general', /slack:<team id>\/<channel id>/],
      ['slack:T1/#general', /slack:<team id>\/<channel id>/],
      ['teams:has space', /teams:<conversation id>/],
      ['console:ops\u0007', /control/],
      [`webhook:https://example.org/${'x'.repeat(3000)}`, /longer than/],
    ];
    for (const [input, message] of cases) {
      expect(() => parseDestination(input), input).toThrow(DestinationError);
      expect(() => parseDestination(input), input).toThrow(message);
    }
  });

  it('masks URL query values for display', () => {
    expect(displayDestination('teams-workflow:https://x.example.com/w?api-version=1&sig=SECRET')).toBe(
      'teams-workflow:https://x.example.com/w?api-version=…&sig=…',
    );
    expect(displayDestination('webhook:https://example.org/hook')).toBe('webhook:https://example.org/hook');
    expect(displayDestination('slack:T1/C2')).toBe('slack:T1/C2');
    expect(displayDestination('bogus?token=1')).toBe('bogus?…');
  });
});
