# Trygg, svenska. Meddelanden för webbsidorna; koderna (t.ex. kind-threat) är API:ets.

service-name = Trygg
service-tagline = Rapportera hot, våld och otillåten påverkan
skip-to-content = Hoppa till innehållet
nav-label = Huvudmeny
nav-report = Rapportera en händelse
nav-my-reports = Mina rapporter
nav-about = Om tjänsten och dina uppgifter
nav-accessibility = Tillgänglighetsredogörelse
other-language = In English
sign-out-as = Logga ut ({ $name })
development-banner = Utvecklingsläge: inloggningen är inte på riktigt. Använd inte riktiga uppgifter.
emergency-banner = Är någon i fara just nu? Ring 112.

session-expired-notice = Du var utloggad när du skickade sidan, så svaren på den här sidan sparades inte. Fyll i dem igen. Dina tidigare svar finns kvar.
back = Tillbaka
continue = Fortsätt
change = Ändra
step-of = Steg { $step } av { $steps }

error-home = Till startsidan
error-summary-title = Det finns ett problem
error-prefix = Fel:
error-csrf-title = Din session har gått ut
error-csrf-body = Av säkerhetsskäl skickades inte formuläret. Ladda om sidan och försök igen. Dina sparade svar finns kvar.
error-bad-form-title = Formuläret kunde inte läsas
error-bad-form-body = Formuläret var för stort eller trasigt. Gå tillbaka och försök igen.
error-forbidden-title = Du har inte behörighet
error-forbidden-body = Ditt konto har inte behörighet till den här sidan. Kontakta säkerhetschefen om du tror att det är fel.
error-not-found-title = Sidan finns inte
error-not-found-body = Kontrollera adressen. Om du följde en länk till en rapport kan det vara en rapport som du inte har tillgång till.
error-sign-in-title = Inloggningen misslyckades
error-sign-in-body = Inloggningen kunde inte slutföras. Försök logga in igen.
error-internal-title = Något gick fel
error-internal-body = Tjänsten kunde inte visa sidan. Försök igen om en stund. Dina sparade svar finns kvar.

start-title = Rapportera en händelse
start-lead = Har du som medarbetare eller förtroendevald blivit utsatt för, eller sett, hot, våld eller otillåten påverkan? Rapportera det här.
start-what = Du kan rapportera till exempel:
start-what-threat = hot, i verkligheten eller på nätet
start-what-violence = våld, fysiskt eller psykiskt
start-what-harassment = trakasserier och kränkningar
start-what-influence = försök att påverka beslut med mutor eller påtryckningar
start-time = Det tar ungefär fem minuter. Dina svar sparas efter varje sida.
start-button = Börja rapportera
start-continue = Fortsätt din rapport
start-emergency-heading = Om det är akut
start-emergency-text = Ring 112 om någon är i fara. Rapporten här är inte en polisanmälan.
start-follow-heading = Följ dina rapporter
start-follow-link = Se dina rapporter och svar från handläggaren

step-kind = Vad hände?
step-kind-intro = Välj det som stämmer bäst. Du kan beskriva händelsen med egna ord senare.
step-violence = Vilken sorts våld?
step-when-where = När och var hände det?
step-affected = Vem blev utsatt?
step-affected-intro = Uppgifterna används för statistik om vilka som utsätts. Ingen kan se vem du är i statistiken.
step-perpetrator = Vem gjorde det?
step-perpetrator-intro = Svara så gott du kan. Välj "Vet ej" om du inte vet.
step-description = Hur allvarligt var det?
step-focus-area = Vilket område gäller det?
step-focus-area-intro = Området avgör vilket kontor som tar hand om rapporten.

question-kind = Typ av händelse
question-violence_forms = Vilken sorts våld var det?
question-violence_forms-hint = Välj alla som stämmer.
question-date = Datum
question-date-hint = Till exempel 2026-11-20.
question-time = Klockslag
question-time-hint = Ungefär, till exempel 14:30.
question-district = Kommundel
question-place_kind = Typ av plats
question-affected_category = Den som blev utsatt är
question-affected_gender = Den utsattas kön
question-affected_age_group = Den utsattas ålder
question-children_affected = Var barn utsatta eller vittnen?
question-perpetrator_relation = Vem var förövaren?
question-perpetrator_influence = Var förövaren påverkad av alkohol eller droger?
question-severity = Allvarlighetsgrad
question-description = Beskriv vad som hände
question-description-hint = Skriv vad som hände, i den ordning det hände. Skriv inte personnummer. Högst 10 000 tecken.
question-focus_area = Fokusområde
question-focus_area-suggested = Vi har föreslagit ett område utifrån dina svar. Välj ett annat om det passar bättre.

error-kind-missing = Välj vad som hände
error-violence_forms-missing = Välj minst en sorts våld
error-date-missing = Ange datum då det hände
error-date-invalid = Datumet måste vara ett riktigt datum, till exempel 2026-11-20
error-date-future = Datumet kan inte vara senare än i dag
error-date-refused = Datumet måste ligga inom de senaste tio åren
error-time-missing = Ange ungefär vilket klockslag det hände
error-time-invalid = Klockslaget måste skrivas som timmar och minuter, till exempel 14:30
error-time-future = Tidpunkten kan inte vara senare än nu
error-district-missing = Välj kommundel
error-place_kind-missing = Välj typ av plats
error-affected_category-missing = Välj vem som blev utsatt
error-affected_gender-missing = Välj den utsattas kön, eller "Okänt"
error-affected_age_group-missing = Välj den utsattas ålder, eller "Okänd"
error-children_affected-missing = Välj om barn var utsatta eller vittnen
error-perpetrator_relation-missing = Välj vem förövaren var, eller "Okänd"
error-perpetrator_influence-missing = Välj om förövaren var påverkad, eller "Vet ej"
error-severity-missing = Välj hur allvarligt det var
error-description-missing = Beskriv vad som hände
error-description-invalid = Beskrivningen innehåller tecken som inte kan sparas
error-description-too-long = Beskrivningen får vara högst 10 000 tecken
error-focus_area-missing = Välj fokusområde
error-addition-missing = Skriv det du vill lägga till
error-addition-invalid = Texten är för lång eller innehåller tecken som inte kan sparas

kind-threat = Hot
kind-threat-hint = Till exempel ett hot i ett möte, i telefon eller på sociala medier.
kind-violence = Våld
kind-harassment = Trakasserier eller kränkning
kind-harassment-hint = Även på sociala medier.
kind-improper_influence = Otillåten påverkan
kind-improper_influence-hint = Mutförsök eller påtryckningar för att påverka ett beslut.
kind-vandalism = Skadegörelse
kind-public_disorder = Ordningsstörning
kind-other = Annat

violence-form-physical = Fysiskt våld
violence-form-psychological = Psykiskt våld
violence-form-sexual = Sexuellt våld
violence-form-material = Materiellt våld
violence-form-material-hint = Att förstöra saker.
violence-form-economic = Ekonomiskt våld

place-school = Skola eller förskola
place-workplace = Arbetsplats
place-public_space = Offentlig miljö, till exempel gata, torg eller kollektivtrafik
place-nightlife = Nöjesliv
place-home = Bostad
place-leisure_venue = Fritidsverksamhet
place-digital = Digitalt, till exempel sociala medier

category-employee = Medarbetare
category-elected_official = Förtroendevald
category-pupil_child = Elev eller barn
category-service_user = Brukare
category-resident = Invånare

gender-woman = Kvinna
gender-man = Man
gender-other = Annat
gender-unknown = Okänt

age-under_13 = Under 13 år
age-age_13_17 = 13–17 år
age-age_18_29 = 18–29 år
age-age_30_49 = 30–49 år
age-age_50_64 = 50–64 år
age-age_65_plus = 65 år eller äldre
age-unknown = Okänd

children-no = Nej
children-affected = Ja, barn utsattes
children-witnessed = Ja, barn bevittnade det
children-unknown = Vet ej

relation-unknown = Okänd
relation-pupil = Elev
relation-service_user = Brukare
relation-relative = Anhörig
relation-colleague = Kollega
relation-resident = Invånare
relation-partner = Partner eller tidigare partner

influence-yes = Ja, påverkad
influence-no = Nej, inte påverkad
influence-unknown = Vet ej

severity-low = Låg
severity-low-hint = Obehagligt, men ingen fara.
severity-medium = Medel
severity-medium-hint = Kränkande eller skrämmande, och kan hända igen.
severity-high = Hög
severity-high-hint = Allvarligt hot eller våld som inte gav skador.
severity-serious = Allvarlig
severity-serious-hint = Fara för liv eller hälsa, till exempel hot med kniv eller vapen, eller våld som gav skador.

status-received = Mottagen
status-triaged = Bedömd
status-in_progress = Under handläggning
status-closed = Avslutad

check-title = Kontrollera dina svar
check-send-heading = Skicka rapporten
check-send-text = När du skickar rapporten går den till det ansvariga kontoret. Du kan lägga till information efteråt.
check-send = Skicka rapporten

receipt-title = Rapporten är skickad
receipt-number = Ditt ärendenummer är { $number }
receipt-next-heading = Vad händer nu
receipt-next-text = Rapporten har gått till det ansvariga kontoret. En handläggare bedömer den, oftast inom en arbetsdag, och kontaktar dig om något behöver göras. Allvarliga händelser mot medarbetare anmäls till Arbetsmiljöverket.
receipt-follow-text = Du kan följa rapporten och läsa svar från handläggaren under
receipt-follow-link = Mina rapporter
receipt-help-heading = Om du behöver hjälp
receipt-emergency = Ring 112 om någon är i fara.
receipt-support = Prata med din chef, HR eller företagshälsovården om du behöver stöd. Förtroendevalda kan vända sig till kommunens säkerhetschef.
receipt-another = Rapportera en annan händelse

reports-title = Mina rapporter
reports-none = Du har inte rapporterat något ännu.
reports-number = Ärendenummer
reports-kind = Händelse
reports-occurred = Inträffade
reports-status = Status
reports-older = Äldre rapporter

report-title = Din rapport
report-received = Mottagen
report-description = Din beskrivning
report-messages = Meddelanden
report-no-messages = Inga meddelanden ännu.
report-from-me = Du
report-from-handler = Handläggaren
report-add-heading = Lägg till information
report-add-label = Vad vill du lägga till?
report-add-hint = Handläggaren ser det du skriver här. Skriv inte personnummer.
report-add-send = Skicka
report-added = Tack, informationen är tillagd.

dev-sign-in-title = Logga in (utveckling)
dev-sign-in-warning = Den här sidan finns bara när tjänsten körs på din egen dator utan identitetsleverantör. Välj vem du vill vara.
dev-sign-in-who = Logga in som
dev-sign-in-button = Logga in
dev-user-reporter = Anna, medarbetare
dev-user-handler = Dave, handläggare på Utbildningskontoret
dev-user-handler-kommunledning = Hanna, handläggare på Kommunledningskontoret
dev-user-security-manager = Ivy, säkerhetschef
dev-user-analyst = Olga, analytiker

signed-out-title = Du är utloggad
signed-out-text = Stäng webbläsaren om du använder en dator som andra också använder.

about-title = Om tjänsten och dina uppgifter
about-intro = Trygg är kommunens system för att rapportera hot, våld, trakasserier och otillåten påverkan mot medarbetare och förtroendevalda, och händelser i kommunens verksamheter.
about-stored-heading = Vad vi sparar
about-stored-1 = Din rapport: vad som hände, när och var, vem som blev utsatt och vem som gjorde det (så långt du vet), hur allvarligt det var och din beskrivning. Vi sparar också vem som rapporterade, så att du kan följa rapporten.
about-stored-2 = Svar som du har börjat fylla i men inte skickat sparas i ett dygn så att du kan fortsätta, sedan raderas de.
about-who-heading = Vem som ser rapporten
about-who-1 = Handläggarna på det kontor som ansvarar för händelsens område, och kommunens säkerhetschef. Våld i nära relationer och hedersrelaterat våld ses bara av Social- och omsorgskontoret.
about-who-2 = Varje gång någon läser en rapport loggas det, med vem och när.
about-who-3 = Statistik lämnar tjänsten bara som antal, och små antal visas inte, så att ingen kan identifieras.
about-how-long-heading = Hur länge vi sparar uppgifterna
about-how-long-1 = När ett ärende har avslutats sparas innehållet i fem år. Sedan tas beskrivningen, namnen, kommentarerna och åtgärderna bort. Kvar blir bara de kodade uppgifterna som statistiken bygger på.
about-how-long-2 = Utskick till handläggare innehåller aldrig namn eller fritext, bara ärendenummer, område, allvarlighetsgrad, kommundel och en länk.
about-rights-heading = Dina rättigheter
about-rights-1 = Du har rätt att få veta vilka uppgifter kommunen har om dig och att få felaktiga uppgifter rättade. Kontakta kommunens dataskyddsombud.

a11y-title = Tillgänglighetsredogörelse
a11y-intro = Kommunen står bakom Trygg. Vi vill att så många som möjligt ska kunna använda tjänsten. Här beskriver vi hur Trygg uppfyller lagen om tillgänglighet till digital offentlig service, kända brister och hur du kan rapportera problem.
a11y-status-heading = Hur tillgänglig är tjänsten
a11y-status-1 = Trygg är byggd för att uppfylla WCAG 2.1 nivå AA. Sidorna fungerar utan JavaScript, med bara tangentbord, med skärmläsare, på små skärmar från 320 pixlars bredd och förstorade till 200 procent.
a11y-status-2 = Sidorna finns på svenska och engelska.
a11y-known-heading = Kända brister
a11y-known-1 = Vi känner inte till några brister mot WCAG 2.1 AA. Inloggningen sker hos kommunens identitetsleverantör, som har en egen tillgänglighetsredogörelse.
a11y-report-heading = Rapportera brister
a11y-report-1 = Om du upptäcker problem som inte beskrivs här, eller om du behöver innehåll i ett annat format, kontakta kommunens säkerhetschef via kommunens växel.
a11y-enforcement-heading = Tillsyn
a11y-enforcement-1 = Myndigheten för digital förvaltning (Digg) ansvarar för tillsynen över lagen om tillgänglighet till digital offentlig service. Om du inte är nöjd med hur vi hanterar dina synpunkter kan du kontakta Digg.
a11y-tested-heading = Hur vi testat tjänsten
a11y-tested-1 = Varje version testas automatiskt i en webbläsare: alla sidor på båda språken, även med felmeddelanden, granskas med axe-core mot WCAG 2.1 A och AA, och hela flödet körs med bara tangentbord, utan JavaScript och på en smal skärm. Redogörelsen uppdaterades senast den 2 december 2026.
