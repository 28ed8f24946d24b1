import type { User } from '../../../common/api.js';
import { roleLabel } from '../lib/roles.js';
import { LEAD_CHOICES, leadLabel } from './appointment-form.js';

interface AppointmentFieldsProps {
  /** `datetime-local` input value. */
  time: string;
  onTime(time: string): void;
  content: string;
  onContent(content: string): void;
  /** Minutes before the appointment that its reminder goes out. */
  lead: number;
  onLead(minutes: number): void;
  people: readonly User[];
  remind: ReadonlySet<number>;
  onToggle(userId: number): void;
  /** How a person is named in the list (the signed-in user may be marked "you"). */
  personName?(person: User): string;
  contentRows: number;
}

/** What an appointment is made of, the same when it is created and when it is edited. */
export function AppointmentFields(props: AppointmentFieldsProps) {
  const {
    time,
    content,
    lead,
    people,
    remind,
    personName = (person) => person.displayName,
  } = props;
  // An appointment saved with a lead no longer offered keeps it as a choice.
  const leads = [...new Set([...LEAD_CHOICES, lead])].toSorted((a, b) => a - b);
  return (
    <>
      <label className="field">
        <span className="field__label">Date and time</span>
        <input
          type="datetime-local"
          required
          value={time}
          onChange={(event) => props.onTime(event.target.value)}
        />
      </label>
      <label className="field">
        <span className="field__label">What it is</span>
        <textarea
          required
          maxLength={2000}
          rows={props.contentRows}
          value={content}
          onChange={(event) => props.onContent(event.target.value)}
        />
      </label>
      <label className="field">
        <span className="field__label">Reminder</span>
        <select value={lead} onChange={(event) => props.onLead(Number(event.target.value))}>
          {leads.map((minutes) => (
            <option key={minutes} value={minutes}>
              {leadLabel(minutes)}
            </option>
          ))}
        </select>
      </label>
      <fieldset className="picker">
        <legend className="field__label">Staff to remind</legend>
        <ul className="picker__list">
          {people.map((person) => (
            <li key={person.id}>
              <label className="picker__option">
                <input
                  type="checkbox"
                  checked={remind.has(person.id)}
                  onChange={() => props.onToggle(person.id)}
                />
                <span>{personName(person)}</span>
                <span className="muted picker__role">{roleLabel(person.role)}</span>
              </label>
            </li>
          ))}
        </ul>
      </fieldset>
    </>
  );
}
