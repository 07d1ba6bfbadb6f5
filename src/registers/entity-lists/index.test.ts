import { describe, expect, it } from 'vitest';
import { diff } from '../../domain/diff.js';
import type { Change, Entry } from '../../domain/types.js';
import { dayNotice, registerNotice } from '../measures/day-fixtures.test-support.js';
import type { NoticeDocument, RegisterModule } from '../types.js';
import { exportControlList, unreliableEntityList, watchList } from './index.js';

function step(module: RegisterModule, state: readonly Entry[], notice: NoticeDocument): { after: Entry[]; changes: Change[]; flags: string[] } | null {
  const update = module.fromNotice!(notice, state);
  if (!update) return null;
  return { after: update.after, changes: diff(state, update.after).map((c) => module.refineChange!(c)), flags: update.flags };
}
const kinds = (changes: Change[]) => changes.map((c) => `${c.kind} ${c.key}`);

describe('entity lists', () => {
  const listing = dayNotice('04-2026-95-entity-listing.html');

  it('lists entities on the list the title names, and only there', () => {
    const s = step(exportControlList, [], listing)!;
    expect(kinds(s.changes)).toEqual(['added acme dynamics systems inc', 'added blue ridge advanced materials laboratory', 'added polaris avionics llc']);
    expect(s.after.find((e) => e.key === 'acme dynamics systems inc')).toEqual({
      register: 'export-control-list',
      key: 'acme dynamics systems inc',
      fields: {
        nameZh: '阿克米动力系统公司',
        nameEn: 'Acme Dynamics Systems, Inc.',
        address: '美国弗吉尼亚州阿灵顿市威尔逊大道1200号',
        postcode: null,
        aliases: ['Acme Dynamics', 'ADS Defense'],
        country: 'United States',
        listedBy: 'MOFCOM-2026-95',
        status: 'listed',
        suspendedUntil: null,
      },
    });
    expect(s.changes.every((c) => c.severity === 'high')).toBe(true);
    expect(step(watchList, [], listing)).toBeNull();
    expect(step(unreliableEntityList, [], listing)).toBeNull();
  });

  it('runs list → remove by 移出 → stop by a lifecycle notice', () => {
    const listed = step(exportControlList, [], listing)!.after;

    // 移出 names Acme by its Chinese name and an alias; the second name is not on the list.
    const removal = step(exportControlList, listed, registerNotice('entity-removal.txt'))!;
    expect(kinds(removal.changes)).toEqual(['removed acme dynamics systems inc']);
    expect(removal.flags).toEqual(['"Not Listed Holdings Corp." (entity 2) is to be removed but is not on the export-control-list']);

    // Stopping 2026 No.95 removes what it listed and is still on the list.
    const stop = step(exportControlList, removal.after, registerNotice('lifecycle-stop-listing.txt'))!;
    expect(kinds(stop.changes)).toEqual(['removed blue ridge advanced materials laboratory', 'removed polaris avionics llc']);
    expect(stop.after).toEqual([]);
    expect(step(watchList, [], registerNotice('lifecycle-stop-listing.txt'))).toBeNull();
  });

  it('keeps entities re-listed by a later notice when the earlier listing is stopped', () => {
    const listed = step(exportControlList, [], listing)!.after;
    const relisting: NoticeDocument = {
      ...listing,
      key: 'MOFCOM-2027-2',
      title: '商务部公告2027年第2号 关于将1家美国实体列入出口管制管控名单的公告',
      text: '商务部决定将以下1家美国实体列入出口管制管控名单：\n1.北极星航电有限责任公司（Polaris Avionics L.L.C.）\n常用名称：Polaris Avionics',
    };
    const again = step(exportControlList, listed, relisting)!;
    // The name folds to another key: the entity is found by its Chinese name and updated in place.
    expect(kinds(again.changes)).toEqual(['modified polaris avionics llc']);
    expect(again.after.find((e) => e.key === 'polaris avionics llc')?.fields).toMatchObject({
      nameEn: 'Polaris Avionics L.L.C.',
      address: '4400 East Valencia Road, Tucson, AZ, USA',
      postcode: '85706',
      aliases: ['Polaris Avionics'],
      listedBy: 'MOFCOM-2027-2',
    });
    const stop = step(exportControlList, again.after, registerNotice('lifecycle-stop-listing.txt'))!;
    expect(kinds(stop.changes)).toEqual(['removed acme dynamics systems inc', 'removed blue ridge advanced materials laboratory']);
  });

  it('suspends and resumes the entities of a suspended listing (UEL series)', () => {
    const listed = step(unreliableEntityList, [], registerNotice('uel-listing.txt'))!;
    expect(kinds(listed.changes)).toEqual(['added coastal sentinel technologies inc', 'added stars stripes defense systems corp']);
    expect(listed.after.every((e) => e.fields.listedBy === 'MOFCOM-UEL-2026-3' && e.fields.country === 'United States')).toBe(true);
    const suspended = step(unreliableEntityList, listed.after, registerNotice('uel-suspension.txt'))!;
    expect(kinds(suspended.changes)).toEqual(['suspended coastal sentinel technologies inc', 'suspended stars stripes defense systems corp']);
    expect(unreliableEntityList.statusOf(suspended.after[0]!.fields)).toBe('suspended');
    expect(suspended.after[0]!.fields.suspendedUntil).toBe('2028-01-20');
    const resume: NoticeDocument = {
      ...registerNotice('uel-suspension.txt'),
      key: 'MOFCOM-UEL-2027-2',
      number: '不可靠实体清单工作机制公告2027年第2号',
      title: '不可靠实体清单工作机制关于恢复实施有关公告的公告',
      text: '不可靠实体清单工作机制决定恢复实施2026年第3号公告。',
    };
    const resumed = step(unreliableEntityList, suspended.after, resume)!;
    expect(kinds(resumed.changes)).toEqual(['resumed coastal sentinel technologies inc', 'resumed stars stripes defense systems corp']);
  });

  it('passes count mismatches and unparsed entities on for review', () => {
    const mismatch = watchList.fromNotice!(registerNotice('entity-watch-list-mismatch.txt'), [])!;
    expect(mismatch.after).toHaveLength(9);
    expect(mismatch.flags).toEqual(['title says 10 entities, parsed 9']);
    expect(mismatch.after.find((e) => e.fields.nameZh === '东洋特殊钢铁株式会社')?.key).toBe('东洋特殊钢铁株式会社');
    const truncated = exportControlList.fromNotice!(registerNotice('entity-truncated.txt'), [])!;
    expect(truncated.after).toHaveLength(2);
    expect(truncated.unparsed).toHaveLength(1);
    expect(truncated.flags).toEqual(['title says 3 entities, parsed 2']);
  });

  it('never removes anything on a notice that does not say so', () => {
    const listed = step(exportControlList, [], listing)!.after;
    for (const file of ['01-2025-61-dual-use-rare-earth-technology.html', '02-2025-70-suspension.html', '05-2026-96-dual-use-scandium.html']) {
      expect(exportControlList.fromNotice!(dayNotice(file), listed)).toBeNull();
    }
    const empty: NoticeDocument = { ...listing, key: 'MOFCOM-2026-99', text: '', title: '商务部公告2026年第99号 关于将3家美国实体列入出口管制管控名单的公告' };
    const update = exportControlList.fromNotice!(empty, listed)!;
    expect(diff(listed, update.after)).toEqual([]);
    expect(update.flags).toEqual(['title says 3 entities, parsed 0']);
  });

  it('is found by English name, Chinese name and alias; keys are normalised names', () => {
    const entry = step(exportControlList, [], listing)!.after.find((e) => e.key === 'polaris avionics llc')!;
    const text = exportControlList.searchText(entry, () => null);
    expect(text.name).toContain('Polaris Avionics LLC');
    expect(text.name).toContain('北极星航电有限责任公司');
    expect(text.points).toContain('85706');
    expect(text.points).toContain('United States');
    expect(exportControlList.normaliseKey!('Polaris Avionics, LLC')).toBe('polaris avionics llc');
    expect(exportControlList.keyPattern.test('HELLO')).toBe(false);
    expect(exportControlList.name).toBe('Export control list (出口管制管控名单)');
    expect(watchList.id).toBe('watch-list');
  });
});
