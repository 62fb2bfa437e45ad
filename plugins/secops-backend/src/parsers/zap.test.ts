import { zapParser } from './zap';
import {
  LIMITS,
  inputErrorOf,
  loadFixture,
  severityCounts,
} from './__testUtils__/fixtures';

const parse = (doc: unknown) => zapParser.parse(doc, LIMITS);

/**
 * The traditional XML report of the petstore scan, cut down to the first
 * alert of the JSON fixture and three of its instances (ZAP escapes the HTML
 * of desc / solution / otherinfo / reference in XML).
 */
const XML_REPORT = `<?xml version="1.0"?>
<OWASPZAPReport version="D-2020-06-24" generated="Mon, 29 Jun 2020 09:56:27">
  <site name="http://swagger-petstore.demo-apps.svc" host="swagger-petstore.demo-apps.svc" port="80" ssl="false">
    <alerts>
      <alertitem>
        <pluginid>10021</pluginid>
        <alert>X-Content-Type-Options Header Missing</alert>
        <name>X-Content-Type-Options Header Missing</name>
        <riskcode>1</riskcode>
        <confidence>2</confidence>
        <riskdesc>Low (Medium)</riskdesc>
        <desc>&lt;p&gt;The Anti-MIME-Sniffing header X-Content-Type-Options was not set to 'nosniff'. This allows older versions of Internet Explorer and Chrome to perform MIME-sniffing on the response body, potentially causing the response body to be interpreted and displayed as a content type other than the declared content type. Current (early 2014) and legacy versions of Firefox will use the declared content type (if one is set), rather than performing MIME-sniffing.&lt;/p&gt;</desc>
        <instances>
          <instance>
            <uri>http://swagger-petstore.demo-apps.svc/v2/store/inventory</uri>
            <method>GET</method>
            <param>X-Content-Type-Options</param>
          </instance>
          <instance>
            <uri>http://swagger-petstore.demo-apps.svc/v2/store/order/10</uri>
            <method>GET</method>
            <param>X-Content-Type-Options</param>
          </instance>
          <instance>
            <uri>http://swagger-petstore.demo-apps.svc/v2/user/login?username=username&amp;password=ZAP</uri>
            <method>GET</method>
            <param>X-Content-Type-Options</param>
          </instance>
        </instances>
        <count>10</count>
        <solution>&lt;p&gt;Ensure that the application/web server sets the Content-Type header appropriately, and that it sets the X-Content-Type-Options header to 'nosniff' for all web pages.&lt;/p&gt;&lt;p&gt;If possible, ensure that the end user uses a standards-compliant and modern web browser that does not perform MIME-sniffing at all, or that can be directed by the web application/web server to not perform MIME-sniffing.&lt;/p&gt;</solution>
        <otherinfo>&lt;p&gt;This issue still applies to error type pages (401, 403, 500, etc.) as those pages are often still affected by injection issues, in which case there is still concern for browsers sniffing pages away from their actual content type.&lt;/p&gt;&lt;p&gt;At &quot;High&quot; threshold this scanner will not alert on client or server error responses.&lt;/p&gt;</otherinfo>
        <reference>&lt;p&gt;http://msdn.microsoft.com/en-us/library/ie/gg622941%28v=vs.85%29.aspx&lt;/p&gt;&lt;p&gt;https://owasp.org/www-community/Security_Headers&lt;/p&gt;</reference>
        <cweid>16</cweid>
        <wascid>15</wascid>
        <sourceid>3</sourceid>
      </alertitem>
    </alerts>
  </site>
</OWASPZAPReport>
`;

describe('zapParser', () => {
  describe('traditional JSON (petstore API scan)', () => {
    it('makes one finding per alert instance', () => {
      const doc = loadFixture('zapJson');
      const alerts = doc.site[0].alerts;
      expect(alerts).toHaveLength(7);
      // ZAP lists at most 20 instances: count says 41, 20 are listed
      expect(alerts[2].count).toBe('41');
      expect(alerts[2].instances).toHaveLength(20);

      const findings = parse(doc);
      // 10 + 20 + 20 + 20 + 7 + 2 + 7 listed instances
      expect(findings).toHaveLength(86);
      expect(severityCounts(findings)).toEqual({
        low: 44,
        medium: 20,
        info: 22,
      });
      expect(findings.every(f => f.category === 'dast')).toBe(true);
      expect(new Set(findings.map(f => f.ruleId))).toEqual(
        new Set(['10021', '10098', '100000', '10036', '100001', '10024']),
      );
    });

    it('reads the first alert and its instance URL', () => {
      const [first] = parse(loadFixture('zapJson'));
      expect(first).toMatchObject({
        ruleId: '10021',
        title: 'X-Content-Type-Options Header Missing',
        severity: 'low',
        url: 'http://swagger-petstore.demo-apps.svc/v2/store/inventory',
        locationPath: 'http://swagger-petstore.demo-apps.svc',
        helpUrl:
          'http://msdn.microsoft.com/en-us/library/ie/gg622941%28v=vs.85%29.aspx',
      });
      expect(first.description).toMatch(
        /^The Anti-MIME-Sniffing header X-Content-Type-Options was not set to 'nosniff'\./,
      );
      expect(first.description).toContain(
        "Solution: Ensure that the application/web server sets the Content-Type header appropriately, and that it sets the X-Content-Type-Options header to 'nosniff' for all web pages.",
      );
      expect(first.description).toContain('Parameter: X-Content-Type-Options');
      expect(first.description).not.toMatch(/<\/?p>/);
    });

    it('keeps the two script alerts that share plugin id 100000 apart', () => {
      const findings = parse(loadFixture('zapJson')).filter(
        f => f.ruleId === '100000',
      );
      expect(severityCounts(findings)).toEqual({ info: 20, low: 7 });
      expect(new Set(findings.map(f => f.title))).toEqual(
        new Set([
          'A Client Error response code was returned by the server',
          'A Server Error response code was returned by the server',
        ]),
      );
    });

    it('keeps only http(s) URLs and skips false positives', () => {
      const doc = loadFixture('zapJson');
      doc.site[0].alerts[0].instances[0].uri =
        'ftp://swagger-petstore.demo-apps.svc/v2';
      const findings = parse(doc);
      expect(findings[0].url).toBeUndefined();

      doc.site[0].alerts[0].confidence = '0';
      expect(parse(doc)).toHaveLength(76);
    });

    it('maps every riskcode', () => {
      const doc = loadFixture('zapJson');
      const alert = doc.site[0].alerts[0];
      alert.instances = [alert.instances[0]];
      doc.site[0].alerts = [alert];
      const severities = ['0', '1', '2', '3'].map(riskcode => {
        alert.riskcode = riskcode;
        return parse(doc)[0].severity;
      });
      expect(severities).toEqual(['info', 'low', 'medium', 'high']);
    });
  });

  describe('traditional XML', () => {
    it('reads the same findings as the JSON report', () => {
      const fromXml = parse(XML_REPORT);
      const fromJson = parse(loadFixture('zapJson'));
      expect(fromXml).toHaveLength(3);
      expect(fromXml).toEqual([fromJson[0], fromJson[1], fromJson[4]]);
      expect(fromXml[2].url).toBe(
        'http://swagger-petstore.demo-apps.svc/v2/user/login?username=username&password=ZAP',
      );
    });

    it('is detected as text', () => {
      expect(zapParser.detect(XML_REPORT)).toBe(true);
      expect(zapParser.detect('<html></html>')).toBe(false);
    });

    it.each([
      ['<html><body/></html>', /does not start with an <OWASPZAPReport>/],
      ['<OWASPZAPReport><site>', /not well-formed/],
      [
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><OWASPZAPReport/>',
        /DOCTYPE and ENTITY declarations are not allowed/,
      ],
      [
        '<OWASPZAPReport><site><alerts><alertitem><riskcode>1</riskcode></alertitem></alerts></site></OWASPZAPReport>',
        /site\[0\]\.alerts\[0\]\.pluginid is missing/,
      ],
      [
        '<OWASPZAPReport><site><alerts><alertitem><pluginid>1</pluginid><riskcode>9</riskcode></alertitem></alerts></site></OWASPZAPReport>',
        /riskcode must be 0, 1, 2 or 3, got "9"/,
      ],
    ])('refuses %s', (xml, message) => {
      expect(inputErrorOf(() => parse(xml)).message).toMatch(message);
    });

    it('reads an empty report, an empty site and old flat alert items', () => {
      expect(parse('<OWASPZAPReport version="1"/>')).toEqual([]);
      expect(parse('<OWASPZAPReport></OWASPZAPReport>')).toEqual([]);
      expect(
        parse(
          '<OWASPZAPReport><site name="x"><alerts/></site></OWASPZAPReport>',
        ),
      ).toEqual([]);
      expect(
        parse(
          '<OWASPZAPReport><site name="https://a.example"><alerts><alertitem><pluginid>40012</pluginid><alert>XSS</alert><riskcode>3</riskcode><uri>https://a.example/q?x=1</uri><param>x</param></alertitem></alerts></site></OWASPZAPReport>',
        ),
      ).toEqual([
        expect.objectContaining({
          ruleId: '40012',
          severity: 'high',
          url: 'https://a.example/q?x=1',
        }),
      ]);
    });
  });

  describe('malformed input', () => {
    it.each([
      [null, /expected a JSON object or the XML report as text, got null/],
      [[], /got an array/],
      [{}, /site is missing/],
      ['a string', /does not start with an <OWASPZAPReport>/],
      [{ site: 'x' }, /site must be an array, got a string/],
      [{ site: [null, 5] }, /site\[0\] must be an object/],
      [{ site: [{ alerts: {} }] }, /site\[0\]\.alerts must be an array/],
      [
        { site: [{ alerts: [null] }] },
        /site\[0\]\.alerts\[0\] must be an object/,
      ],
      [
        {
          site: [
            { alerts: [{ pluginid: '1', riskcode: '1', instances: [null] }] },
          ],
        },
        /alerts\[0\]\.instances\[0\] must be an object/,
      ],
    ])('refuses %j with an InputError', (doc, message) => {
      expect(inputErrorOf(() => parse(doc)).message).toMatch(message);
    });
  });

  it('enforces maxFindings', () => {
    const doc = loadFixture('zapJson');
    expect(zapParser.parse(doc, { maxFindings: 86 })).toHaveLength(86);
    expect(
      inputErrorOf(() => zapParser.parse(doc, { maxFindings: 85 })).message,
    ).toMatch(/more than 85 findings, the limit is 85/);
  });
});
