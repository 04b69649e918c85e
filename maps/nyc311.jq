# NYC 311 service requests (NYC Open Data, dataset erm2-nwe9), both as the
# portal's "Export CSV" (columns "Unique Key", "Created Date" as
# 02/28/2023 11:45:00 PM) and as the SODA API's CSV or JSON (unique_key,
# created_date as 2026-06-28T03:05:20.000).  Times are New York local time.
#ft: tz America/New_York
#ft: time-format %m/%d/%Y %I:%M:%S %p
def col($portal; $api):
  (.[$portal] // .[$api]) | if . == "" then null else . end;
def slug: ascii_downcase | gsub("[^a-z0-9]+"; "_") | ltrimstr("_") | rtrimstr("_");
def category:
  (. // "") as $t | ($t | ascii_downcase) as $l
  | if ($l | test("^noise")) then "noise"
    elif ($l | test("street ?light")) then "streetlight"
    elif ($l | test("sanitation|dirty|litter|missed collection|garbage|dumping|overflowing"))
      then "garbage"
    elif ($l | test("parking|blocked driveway|derelict vehicle|abandoned vehicle"))
      then "parking"
    elif ($l | test("heat|hot water")) then "heating"
    elif ($l | test("water")) then "water"
    elif ($l | test("street condition|pothole|sidewalk|curb")) then "road"
    elif ($l | test("tree")) then "tree"
    elif ($l | test("graffiti")) then "graffiti"
    elif ($l | test("rodent|unsanitary animal")) then "rodent"
    elif $t == "" then null
    else ($t | slug) end;
{
  id: col("Unique Key"; "unique_key"),
  source: (col("Open Data Channel Type"; "open_data_channel_type")
           | if . == "PHONE" then "hotline"
             elif . == "ONLINE" or . == "MOBILE" then "app"
             else "nyc311" end),
  category: (col("Complaint Type"; "complaint_type") | category),
  title: col("Complaint Type"; "complaint_type"),
  text: col("Descriptor"; "descriptor"),
  lat: col("Latitude"; "latitude"),
  lon: col("Longitude"; "longitude"),
  address: col("Incident Address"; "incident_address"),
  reported_at: col("Created Date"; "created_date"),
  agency: col("Agency"; "agency"),
  borough: col("Borough"; "borough"),
  community_board: col("Community Board"; "community_board"),
  incident_zip: col("Incident Zip"; "incident_zip"),
  location_type: col("Location Type"; "location_type"),
  nyc_status: col("Status"; "status"),
  closed_date: col("Closed Date"; "closed_date")
} | with_entries(select(.value != null))
