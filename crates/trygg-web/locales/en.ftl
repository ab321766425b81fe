# Trygg, English. Messages for the web pages; the codes (e.g. kind-threat) are the API's.

service-name = Trygg
service-tagline = Report threats, violence and improper influence
skip-to-content = Skip to main content
nav-label = Main menu
nav-report = Report an incident
nav-my-reports = My reports
nav-about = About the service and your data
nav-accessibility = Accessibility statement
other-language = På svenska
sign-out-as = Sign out ({ $name })
development-banner = Development mode: sign-in is not real. Do not enter real details.
emergency-banner = Is someone in danger right now? Call 112.

session-expired-notice = You had been signed out when you sent the page, so the answers on this page were not saved. Please fill them in again. Your earlier answers are still there.
back = Back
continue = Continue
change = Change
step-of = Step { $step } of { $steps }

error-home = Go to the start page
error-summary-title = There is a problem
error-prefix = Error:
error-csrf-title = Your session has ended
error-csrf-body = For your security the form was not sent. Reload the page and try again. Your saved answers are still there.
error-bad-form-title = The form could not be read
error-bad-form-body = The form was too large or damaged. Go back and try again.
error-forbidden-title = You do not have access
error-forbidden-body = Your account does not give access to this page. Contact the security manager if you think this is wrong.
error-not-found-title = Page not found
error-not-found-body = Check the address. If you followed a link to a report, it may be a report you do not have access to.
error-sign-in-title = Sign-in failed
error-sign-in-body = Signing in could not be completed. Please try again.
error-internal-title = Something went wrong
error-internal-body = The service could not show this page. Try again in a moment. Your saved answers are still there.

start-title = Report an incident
start-lead = Have you, as an employee or elected official, been subjected to or witnessed threats, violence or improper influence? Report it here.
start-what = You can report, for example:
start-what-threat = threats, in person or online
start-what-violence = violence, physical or psychological
start-what-harassment = harassment and degrading treatment
start-what-influence = attempts to influence decisions through bribes or pressure
start-time = It takes about five minutes. Your answers are saved after every page.
start-button = Start your report
start-continue = Continue your report
start-emergency-heading = In an emergency
start-emergency-text = Call 112 if someone is in danger. A report here is not a report to the police.
start-follow-heading = Follow your reports
start-follow-link = See your reports and replies from the case handler

step-kind = What happened?
step-kind-intro = Choose what fits best. You can describe the incident in your own words later.
step-violence = What kind of violence?
step-when-where = When and where did it happen?
step-affected = Who was affected?
step-affected-intro = This is used for statistics on who is affected. Nobody can tell who you are from the statistics.
step-perpetrator = Who did it?
step-perpetrator-intro = Answer as well as you can. Choose "Don't know" if you do not know.
step-description = How serious was it?
step-focus-area = Which area does it concern?
step-focus-area-intro = The area decides which office handles the report.

question-kind = Kind of incident
question-violence_forms = What kind of violence was it?
question-violence_forms-hint = Select all that apply.
question-date = Date
question-date-hint = For example 2026-11-20.
question-time = Time
question-time-hint = Roughly, for example 14:30.
question-district = District
question-place_kind = Kind of place
question-affected_category = The person affected is
question-affected_gender = Gender of the person affected
question-affected_age_group = Age of the person affected
question-children_affected = Were children affected or witnesses?
question-perpetrator_relation = Who was the perpetrator?
question-perpetrator_influence = Was the perpetrator under the influence of alcohol or drugs?
question-severity = Severity
question-description = Describe what happened
question-description-hint = Write what happened, in the order it happened. Do not write personal identity numbers. At most 10,000 characters.
question-focus_area = Focus area
question-focus_area-suggested = We have suggested an area from your answers. Choose another if it fits better.

error-kind-missing = Select what happened
error-violence_forms-missing = Select at least one kind of violence
error-date-missing = Enter the date it happened
error-date-invalid = The date must be a real date, for example 2026-11-20
error-date-future = The date cannot be later than today
error-date-refused = The date must be within the last ten years
error-time-missing = Enter roughly what time it happened
error-time-invalid = Enter the time as hours and minutes, for example 14:30
error-time-future = The time cannot be later than now
error-district-missing = Select the district
error-place_kind-missing = Select the kind of place
error-affected_category-missing = Select who was affected
error-affected_gender-missing = Select the gender of the person affected, or "Unknown"
error-affected_age_group-missing = Select the age of the person affected, or "Unknown"
error-children_affected-missing = Select whether children were affected or witnesses
error-perpetrator_relation-missing = Select who the perpetrator was, or "Unknown"
error-perpetrator_influence-missing = Select whether the perpetrator was under the influence, or "Don't know"
error-severity-missing = Select how serious it was
error-description-missing = Describe what happened
error-description-invalid = The description contains characters that cannot be saved
error-description-too-long = The description must be 10,000 characters or fewer
error-focus_area-missing = Select the focus area
error-addition-missing = Write what you want to add
error-addition-invalid = The text is too long or contains characters that cannot be saved

kind-threat = Threat
kind-threat-hint = For example a threat in a meeting, on the phone or on social media.
kind-violence = Violence
kind-harassment = Harassment or degrading treatment
kind-harassment-hint = Also on social media.
kind-improper_influence = Improper influence
kind-improper_influence-hint = Bribery attempts or pressure to influence a decision.
kind-vandalism = Vandalism
kind-public_disorder = Public disorder
kind-other = Other

violence-form-physical = Physical violence
violence-form-psychological = Psychological violence
violence-form-sexual = Sexual violence
violence-form-material = Material violence
violence-form-material-hint = Destroying things.
violence-form-economic = Economic violence

place-school = School or preschool
place-workplace = Workplace
place-public_space = Public place, for example a street, square or public transport
place-nightlife = Nightlife
place-home = Home
place-leisure_venue = Leisure venue
place-digital = Online, for example social media

category-employee = Employee
category-elected_official = Elected official
category-pupil_child = Pupil or child
category-service_user = Service user
category-resident = Resident

gender-woman = Woman
gender-man = Man
gender-other = Other
gender-unknown = Unknown

age-under_13 = Under 13
age-age_13_17 = 13–17
age-age_18_29 = 18–29
age-age_30_49 = 30–49
age-age_50_64 = 50–64
age-age_65_plus = 65 or older
age-unknown = Unknown

children-no = No
children-affected = Yes, children were affected
children-witnessed = Yes, children witnessed it
children-unknown = Don't know

relation-unknown = Unknown
relation-pupil = Pupil
relation-service_user = Service user
relation-relative = Relative
relation-colleague = Colleague
relation-resident = Resident
relation-partner = Partner or former partner

influence-yes = Yes, under the influence
influence-no = No, not under the influence
influence-unknown = Don't know

severity-low = Low
severity-low-hint = Unpleasant, but no danger.
severity-medium = Medium
severity-medium-hint = Degrading or frightening, and could happen again.
severity-high = High
severity-high-hint = A serious threat, or violence without injuries.
severity-serious = Serious
severity-serious-hint = Danger to life or health, for example a threat with a knife or a weapon, or violence causing injuries.

status-received = Received
status-triaged = Assessed
status-in_progress = Being handled
status-closed = Closed

check-title = Check your answers
check-send-heading = Send the report
check-send-text = When you send the report it goes to the responsible office. You can add information afterwards.
check-send = Send the report

receipt-title = Report sent
receipt-number = Your case number is { $number }
receipt-next-heading = What happens next
receipt-next-text = The report has gone to the responsible office. A case handler assesses it, usually within one working day, and contacts you if anything needs to be done. Serious incidents against employees are reported to the Swedish Work Environment Authority.
receipt-follow-text = You can follow the report and read replies from the case handler under
receipt-follow-link = My reports
receipt-help-heading = If you need help
receipt-emergency = Call 112 if someone is in danger.
receipt-support = Talk to your manager, HR or occupational health services if you need support. Elected officials can contact the municipality's security manager.
receipt-another = Report another incident

reports-title = My reports
reports-none = You have not reported anything yet.
reports-number = Case number
reports-kind = Incident
reports-occurred = Happened
reports-status = Status
reports-older = Older reports

report-title = Your report
report-received = Received
report-description = Your description
report-messages = Messages
report-no-messages = No messages yet.
report-from-me = You
report-from-handler = Case handler
report-add-heading = Add information
report-add-label = What do you want to add?
report-add-hint = The case handler sees what you write here. Do not write personal identity numbers.
report-add-send = Send
report-added = Thank you, the information has been added.

dev-sign-in-title = Sign in (development)
dev-sign-in-warning = This page exists only when the service runs on your own computer without an identity provider. Choose who you want to be.
dev-sign-in-who = Sign in as
dev-sign-in-button = Sign in
dev-user-reporter = Anna, employee
dev-user-handler = Dave, case handler at the Education Office
dev-user-handler-kommunledning = Hanna, case handler at the Municipal Executive Office
dev-user-security-manager = Ivy, security manager
dev-user-analyst = Olga, analyst

signed-out-title = You are signed out
signed-out-text = Close the browser if you are using a computer that others also use.

about-title = About the service and your data
about-intro = Trygg is the municipality's system for reporting threats, violence, harassment and improper influence against employees and elected officials, and incidents in the municipality's services.
about-stored-heading = What we store
about-stored-1 = Your report: what happened, when and where, who was affected and who did it (as far as you know), how serious it was, and your description. We also store who reported it, so that you can follow it.
about-stored-2 = Answers you have started but not sent are kept for one day so that you can continue, then they are deleted.
about-who-heading = Who sees the report
about-who-1 = The case handlers of the office responsible for the incident's area, and the municipality's security manager. Domestic violence and honour-related violence are seen only by the Social Services and Care Office.
about-who-2 = Every time someone reads a report it is logged, with who and when.
about-who-3 = Statistics leave the service only as counts, and small counts are not shown, so that nobody can be identified.
about-how-long-heading = How long we keep the data
about-how-long-1 = Once a case is closed its content is kept for five years. Then the description, names, comments and actions are removed. Only the coded facts the statistics are built on remain.
about-how-long-2 = Alerts to case handlers never contain names or free text, only the case number, area, severity, district and a link.
about-rights-heading = Your rights
about-rights-1 = You have the right to know what data the municipality holds about you and to have incorrect data corrected. Contact the municipality's data protection officer.

a11y-title = Accessibility statement
a11y-intro = The municipality is responsible for Trygg. We want as many people as possible to be able to use it. This statement describes how Trygg meets the Swedish act on accessibility to digital public services, known issues, and how to report problems.
a11y-status-heading = How accessible the service is
a11y-status-1 = Trygg is built to meet WCAG 2.1 level AA. The pages work without JavaScript, with a keyboard only, with screen readers, on small screens from 320 pixels wide and zoomed to 200 percent.
a11y-status-2 = The pages are available in Swedish and English.
a11y-known-heading = Known issues
a11y-known-1 = We know of no failures against WCAG 2.1 AA. Signing in happens at the municipality's identity provider, which has its own accessibility statement.
a11y-report-heading = Report a problem
a11y-report-1 = If you find a problem not described here, or need content in another format, contact the municipality's security manager through the municipality's switchboard.
a11y-enforcement-heading = Enforcement
a11y-enforcement-1 = The Agency for Digital Government (Digg) supervises the act on accessibility to digital public services. If you are not satisfied with how we handle your comments, you can contact Digg.
a11y-tested-heading = How we tested the service
a11y-tested-1 = Every version is tested automatically in a browser: every page in both languages, error states included, is checked with axe-core against WCAG 2.1 A and AA, and the whole flow is run with a keyboard only, without JavaScript and on a narrow screen. The statement was last updated on 2 December 2026.
