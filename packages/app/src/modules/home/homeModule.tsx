import { createFrontendModule } from '@backstage/frontend-plugin-api';
import { HomePageWidgetBlueprint } from '@backstage/plugin-home-react/alpha';
import { MarkdownContent } from '@backstage/core-components';

const content = `
### Find your way around

- **[Catalog](/catalog)**: every service, website, library, API and resource of
  Acme Commerce, with its owner. *Owned* shows what your teams own.
- **[Docs](/docs)**: each component's TechDocs, and the portal's own guide
  (*Acme Developer Portal*).
- **[Create](/create)**: golden-path templates for new services.
- **[APIs](/api-docs)**: the API definitions, with who provides and consumes them.

You are signed in as a person of the demo organisation. To see the portal as
someone else (a team lead, the CISO, the CFO), sign out in **Settings** and
pick another person.
`;

const gettingStartedWidget = HomePageWidgetBlueprint.make({
  name: 'getting-started',
  params: {
    name: 'GettingStarted',
    title: 'Welcome to the Acme Developer Portal',
    description: 'Where to find what in the portal',
    components: async () => ({
      Content: () => <MarkdownContent content={content} />,
    }),
  },
});

const personal = [
  {
    name: 'MyServices',
    title: 'Your teams’ services',
    description: 'What the teams you are in own',
    load: () => import('./widgets').then(m => m.MyServicesWidget),
  },
  {
    name: 'Templates',
    title: 'Golden paths',
    description: 'Templates you can start a service from',
    load: () => import('./widgets').then(m => m.TemplatesWidget),
  },
].map(widget =>
  HomePageWidgetBlueprint.make({
    name: widget.name.toLowerCase(),
    params: {
      name: widget.name,
      title: widget.title,
      description: widget.description,
      components: async () => ({ Content: await widget.load() }),
    },
  }),
);

/**
 * The home page's own widgets. The plugins add theirs (SecOps' "Security",
 * FinOps' "Cloud cost", SRE's "SLOs burning") as HomePageWidgetBlueprint extensions of their own,
 * each reading one summary route of its backend.
 */
export const homeModule = createFrontendModule({
  pluginId: 'home',
  extensions: [gettingStartedWidget, ...personal],
});
