# Open311 GeoReport v2 service requests (GET requests.json): the fields
# service_request_id, service_code, service_name, description, lat, long,
# address, requested_datetime (ISO 8601 with an offset), status,
# agency_responsible, media_url.
def nz: if . == "" then null else . end;
{
  id: (.service_request_id | nz),
  source: "app",
  category: ((.service_code // .service_name) | nz),
  title: (.service_name | nz),
  text: (.description | nz),
  lat: (.lat | nz),
  lon: (.long | nz),
  address: (.address | nz),
  reported_at: (.requested_datetime | nz),
  open311_status: (.status | nz),
  agency_responsible: (.agency_responsible | nz),
  updated_datetime: (.updated_datetime | nz),
  media_url: (.media_url | nz),
  zipcode: (.zipcode | nz)
} | with_entries(select(.value != null))
