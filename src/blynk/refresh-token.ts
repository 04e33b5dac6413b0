/**
 * The one unspent refresh token of a config node. It came either with the current token (the
 * session's own) or from the user's sign-in (the stored credential of `authorization_code`, not
 * yet used since): a failed refresh means something different for each.
 */
export class RefreshTokenSlot {
  private value?: string;
  private fromSignIn = false;

  /** Holds `value` (or nothing), in place of whatever was held. */
  hold(value: string | undefined, fromSignIn: boolean): void {
    this.value = value || undefined;
    this.fromSignIn = this.value !== undefined && fromSignIn;
  }

  /**
   * Takes the token out if it came from where asked. It is forgotten before it is sent: Blynk
   * accepts each refresh token once, and a replay would revoke the whole family.
   */
  take(fromSignIn: boolean): string | undefined {
    if (this.value === undefined || this.fromSignIn !== fromSignIn) return undefined;
    const value = this.value;
    this.clear();
    return value;
  }

  get held(): boolean {
    return this.value !== undefined;
  }

  clear(): void {
    this.value = undefined;
    this.fromSignIn = false;
  }
}
