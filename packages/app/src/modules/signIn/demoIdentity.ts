import { IdentityApi } from '@backstage/core-plugin-api';

/** Where the local sign-in page remembers who the person chose to be. */
export const DEMO_USER_STORAGE_KEY = 'portal.demoUser';

/**
 * Wraps an identity so that signing out also forgets the chosen demo user,
 * which brings the person back to the list of users on the next page load.
 */
export function forgetDemoUserOnSignOut(identity: IdentityApi): IdentityApi {
  return {
    getProfileInfo: () => identity.getProfileInfo(),
    getBackstageIdentity: () => identity.getBackstageIdentity(),
    getCredentials: () => identity.getCredentials(),
    async signOut() {
      window.localStorage.removeItem(DEMO_USER_STORAGE_KEY);
      await identity.signOut();
    },
  };
}
