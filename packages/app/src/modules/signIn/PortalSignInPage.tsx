import { SignInPage } from '@backstage/core-components';
import { SignInPageProps } from '@backstage/plugin-app-react';
import {
  configApiRef,
  githubAuthApiRef,
  useApi,
} from '@backstage/core-plugin-api';
import { DemoSignInPage } from './DemoSignInPage';

/**
 * Chooses the sign-in page by `app.signIn.provider`: the local demo picker
 * (app-config.yaml) or GitHub (app-config.production.yaml).
 */
export function PortalSignInPage(props: SignInPageProps) {
  const config = useApi(configApiRef);
  const provider = config.getOptionalString('app.signIn.provider') ?? 'github';
  if (provider === 'demo') {
    return <DemoSignInPage {...props} />;
  }
  return (
    <SignInPage
      {...props}
      provider={{
        id: 'github-auth-provider',
        title: 'GitHub',
        message: 'Sign in with your GitHub account',
        apiRef: githubAuthApiRef,
      }}
    />
  );
}
