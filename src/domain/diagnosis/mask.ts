import type { AuthMethod } from '../ports.js';

/** The character that stands for hidden digits and letters. */
export const MASK = '••••';

/**
 * Shows a phone number the way people recognise theirs without revealing it: the country
 * code and the last four digits, e.g. "+65 9123 4567" → "+65 •••• 4567".
 */
export function maskPhone(number: string): string {
  const digits = number.replace(/[^\d+]/g, '');
  const country = /^\+(\d{1,3})/.exec(digits);
  const lastFour = digits.replace(/\D/g, '').slice(-4);
  if (lastFour.length < 4) return MASK;
  // Country codes are 1-3 digits; without a separator the longest plausible one is guessed.
  const code = country ? `+${countryCode(number, country[1]!)} ` : '';
  return `${code}${MASK} ${lastFour}`;
}

/** Shows an email address as its first letter and domain, e.g. "a••••@contoso.com". */
export function maskEmail(address: string): string {
  const at = address.lastIndexOf('@');
  if (at < 1) return MASK;
  return `${address[0]}${MASK}${address.slice(at)}`;
}

function countryCode(original: string, candidate: string): string {
  const spaced = /^\s*\+(\d{1,3})[\s-]/.exec(original);
  return spaced ? spaced[1]! : candidate.slice(0, 2);
}

/** A registered method as the person may see it: never the full number or address. */
export interface MaskedMethod {
  kind: AuthMethod['kind'];
  device: string | undefined;
  phoneType: AuthMethod['phoneType'];
  masked: string | undefined;
  isDefault: boolean;
}

/** A method described for display, with any number or address masked. */
export function maskMethod(method: AuthMethod): MaskedMethod {
  const masked =
    method.kind === 'phone' && method.phoneNumber
      ? maskPhone(method.phoneNumber)
      : method.kind === 'email' && method.emailAddress
        ? maskEmail(method.emailAddress)
        : undefined;
  return {
    kind: method.kind,
    device: method.displayName,
    phoneType: method.phoneType,
    masked,
    isDefault: method.isDefault,
  };
}
