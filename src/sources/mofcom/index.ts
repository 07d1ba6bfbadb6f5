// The discovery registry: one module per source kind. `discover` looks up the module for a
// source's kind; a kind without one (`feed`, handled elsewhere) is refused.

import type { SourceConfig } from '../config.js';
import type { HttpClient } from '../http/types.js';
import type { Listing } from '../types.js';
import { exportControlColumns } from './export-control-columns.js';
import { htmlIndex } from './html-index.js';
import { jpaasList } from './jpaas-list.js';

export interface DiscoveryContext {
  http: HttpClient;
  now: Date;
  /** List page to read (1-based, default 1). */
  page?: number;
  /** For html-index urls with `{year}`: the year to read (default: the current year in Beijing). */
  year?: number;
  /**
   * Send conditional GETs (html-index, jpaas-list). An unchanged page (304) then yields `[]`: since a
   * 200 without rows is always an `empty` source error, an empty result can only mean "not modified".
   */
  conditional?: boolean;
}

export interface DiscoveryModule<C extends SourceConfig = SourceConfig> {
  kind: C['kind'];
  discover(source: C, ctx: DiscoveryContext): Promise<Listing[]>;
}

type Of<K extends SourceConfig['kind']> = Extract<SourceConfig, { kind: K }>;

export const DISCOVERY: {
  'export-control-columns': DiscoveryModule<Of<'export-control-columns'>>;
  'jpaas-list': DiscoveryModule<Of<'jpaas-list'>>;
  'html-index': DiscoveryModule<Of<'html-index'>>;
} = {
  'export-control-columns': exportControlColumns,
  'jpaas-list': jpaasList,
  'html-index': htmlIndex,
};

/** Whether a source kind has a discovery module here. */
export function hasDiscovery(kind: SourceConfig['kind']): kind is keyof typeof DISCOVERY {
  return Object.prototype.hasOwnProperty.call(DISCOVERY, kind);
}

/** Discovers the listings of one source. Rejects with a SourceError when the source misbehaves, and with a plain Error for kinds without a module. */
export async function discover(source: SourceConfig, ctx: DiscoveryContext): Promise<Listing[]> {
  switch (source.kind) {
    case 'export-control-columns':
      return DISCOVERY['export-control-columns'].discover(source, ctx);
    case 'jpaas-list':
      return DISCOVERY['jpaas-list'].discover(source, ctx);
    case 'html-index':
      return DISCOVERY['html-index'].discover(source, ctx);
    default:
      throw new Error(`source ${source.id}: no discovery module for kind ${JSON.stringify(source.kind)}`);
  }
}

export { samePage } from './export-control-columns.js';
