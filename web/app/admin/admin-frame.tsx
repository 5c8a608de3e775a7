// What both admin pages are: a title saying what the page is for, a panel with the form that adds, then the list.
import type { ReactNode } from 'react';

export function AdminFrame({ title, intro, formTitle, form, listTitle, children }: { title: string; intro: ReactNode; formTitle: string; form: ReactNode; listTitle: ReactNode; children: ReactNode }) {
  return (
    <div className="page">
      <div className="page-head">
        <div>
          <h1>{title}</h1>
          <p className="subtitle">{intro}</p>
        </div>
      </div>

      <section className="panel">
        <h2>{formTitle}</h2>
        {form}
      </section>

      <section className="panel">
        <h2>{listTitle}</h2>
        {children}
      </section>
    </div>
  );
}
