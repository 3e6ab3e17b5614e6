import type { ConversionReport } from './api.js';
import { formatLift, formatRate } from './words.js';

/** A conversion report as a table: a row per band, then every contact together (the average). */
export function ConversionTable({ report, caption }: { report: ConversionReport; caption: string }) {
  return (
    <div className="table-wrap">
      <table className="data compact conversion">
        <caption className="sr-only">{caption}</caption>
        <thead>
          <tr><th scope="col">Band</th><th scope="col" className="num">Contacts</th><th scope="col" className="num">Converted</th><th scope="col" className="num">Rate</th><th scope="col" className="num">Lift</th></tr>
        </thead>
        <tbody>
          {report.bands.map((b) => (
            <tr key={b.band}>
              <th scope="row">{b.band}</th>
              <td className="num">{b.contacts.toLocaleString()}</td>
              <td className="num">{b.converted.toLocaleString()}</td>
              <td className="num">{b.contacts ? formatRate(b.rate) : '—'}</td>
              <td className="num">{b.contacts ? formatLift(b.lift) : '—'}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">All</th>
            <td className="num">{report.total.contacts.toLocaleString()}</td>
            <td className="num">{report.total.converted.toLocaleString()}</td>
            <td className="num">{report.total.contacts ? formatRate(report.total.rate) : '—'}</td>
            <td className="num">{report.total.converted ? '×1.0' : '—'}</td>
          </tr>
        </tfoot>
      </table>
    </div>
  );
}
