/** A diagnosis reference as people read it out: `DX-` and the first 8 hex digits of its id, upper case. */
export const DIAGNOSIS_REFERENCE = /^DX-[0-9A-F]{8}$/;

/** The short, readable reference of a diagnosis that the helpdesk can look up. */
export function diagnosisReference(diagnosisId: string): string {
  return `DX-${diagnosisId.replace(/-/g, '').slice(0, 8).toUpperCase()}`;
}
