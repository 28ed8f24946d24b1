import type { ReactNode } from 'react';
import { useSession } from '../app/session-context.js';
import type { AdminSection } from '../routing/route.js';
import { ServerHealth } from './ServerHealth.js';
import { StaffAccounts } from './StaffAccounts.js';
import { SystemNotices } from './SystemNotices.js';

/** The admin console's sections, in the order of its tabs; issue 11's delivery audit joins them. */
const SECTIONS: Record<AdminSection, { label: string; render(): ReactNode }> = {
  staff: { label: 'Staff accounts', render: () => <StaffAccounts /> },
  notices: { label: 'System notices', render: () => <SystemNotices /> },
  health: { label: 'Server health', render: () => <ServerHealth /> },
};

/** Clinical alerting's admin pages (issue 11), routes of their own that the console links to. */
const ALERTING_PAGES = [
  { label: 'Clinic alerting', href: '#/admin/alerting' },
  { label: 'Delivery audit', href: '#/admin/audit' },
] as const;

/** What the clinic's IT admin does without a terminal. The server checks the role too. */
export function AdminPage({ section }: { section: AdminSection }) {
  const { user } = useSession();
  if (user.role !== 'admin') {
    return (
      <div className="page">
        <h1 className="page-title" tabIndex={-1}>
          Administration
        </h1>
        <p>This part of ClinicPulse is for the clinic&apos;s IT administrators.</p>
      </div>
    );
  }
  return (
    <div className="page page--wide">
      <div className="page-header">
        <h1 className="page-title" tabIndex={-1}>
          Administration
        </h1>
      </div>
      <nav aria-label="Administration" className="subnav">
        <ul>
          {(Object.keys(SECTIONS) as AdminSection[]).map((key) => (
            <li key={key}>
              <a
                className="subnav__link"
                href={`#/admin/${key}`}
                aria-current={key === section ? 'page' : undefined}
              >
                {SECTIONS[key].label}
              </a>
            </li>
          ))}
          {ALERTING_PAGES.map((page) => (
            <li key={page.href}>
              <a className="subnav__link" href={page.href}>
                {page.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      {SECTIONS[section].render()}
    </div>
  );
}
