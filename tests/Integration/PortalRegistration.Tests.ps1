#Requires -Version 7.4
<#
    Registration with the Kolibri Data Portal, request by request against real Kolibri 0.17.5 (the reference kit).
    A loopback capture server (the portal stand-in of tests/KolibriFacility.KolibriStandIn: it records every request
    and verifies the certificate chain and the nonce signature) plays the portal twice, at a plain URL and under a
    path (/kdp/):
      1. Kolibri's own token dialog, driven through Kolibri's API on a real Kolibri server started on a copy of the
         fixture with KOLIBRI_DATA_PORTAL_SYNCING_BASE_URL pointing at the capture server: log in as the fixture's
         superuser, GET /api/auth/portal/validate_token/, POST /api/auth/portal/register/, then the PATCH of the
         facility dataset the browser sends;
      2. Invoke-PortalSync -Token on a second copy of the fixture against another capture server with the same URL
         shape (the sync step after it runs the Kolibri stand-in: this test is about registration);
    then the two request sequences are compared (method, path, query, content type, form fields and their order,
    the encoded body with only the nonce and its signature differing) and the facility dataset row Kolibri sees
    afterwards. The test fails, never skips, when the Kolibri kit cannot be set up.
#>

BeforeAll {
    . (Join-Path $PSScriptRoot '..' 'common.ps1')
    Import-Module (Join-Path $PSScriptRoot 'KolibriKit.psm1') -Force
    $null = Initialize-KolibriKit -KitFolder $KolibriKit
    $script:StandIn = Get-TestProgram 'KolibriFacility.KolibriStandIn'
    $script:TypedToken = 'kx7qp-m2vd9'
    $script:Token = 'kx7qpm2vd9' # Kolibri's dialog removes the first '-' before calling its API
    $script:DatasetId = 'e53af19467e2a90b59f255d539e476a6' # the fixture facility's dataset (= its root certificate)
    $script:Started = [System.Collections.Generic.List[object]]::new()

    # One migrated Kolibri home (Kolibri's other databases next to the fixture copy); each run gets a copy of it.
    $script:Template = New-TestKolibriHome
    Initialize-KolibriHome -KolibriHome $script:Template

    function Copy-KolibriHome {
        $copy = Join-Path $TestDrive ('home-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
        Copy-Item -LiteralPath $script:Template -Destination $copy -Recurse
        $copy
    }

    function Start-CapturePortal([string] $PathPrefix) {
        $state = Join-Path $TestDrive ('portal-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
        New-Item -ItemType Directory -Path $state | Out-Null
        $start = [System.Diagnostics.ProcessStartInfo]::new($script:StandIn)
        foreach ($argument in @('portal', '--state', $state, '--token', $script:Token, '--project', 'Nairobi Learning Centres', '--path', $PathPrefix)) {
            $start.ArgumentList.Add($argument)
        }
        $start.UseShellExecute = $false
        $process = [System.Diagnostics.Process]::Start($start)
        $portal = [pscustomobject]@{ State = $state; Process = $process; Url = $null }
        $script:Started.Add($portal)
        $deadline = (Get-Date).AddSeconds(30)
        while (-not (Test-Path (Join-Path $state 'portal-url.txt')) -and (Get-Date) -lt $deadline) { Start-Sleep -Milliseconds 100 }
        $portal.Url = (Get-Content (Join-Path $state 'portal-url.txt') -Raw).Trim()
        $portal
    }

    function Stop-CapturePortal($Portal) {
        New-Item -ItemType File -Path (Join-Path $Portal.State 'portal-stop') -Force | Out-Null
        if (-not $Portal.Process.WaitForExit(10000)) { $Portal.Process.Kill(); throw "The capture portal at $($Portal.Url) did not stop within 10 s." }
        if ($Portal.Process.ExitCode -ne 0) { throw "The capture portal at $($Portal.Url) exited with code $($Portal.Process.ExitCode); its saved requests may be incomplete." }
        Get-Content (Join-Path $Portal.State 'portal-state.json') -Raw | ConvertFrom-Json
    }

    function Invoke-KolibriTokenDialog([string] $KolibriHome, [string] $PortalUrl) {
        # What Kolibri's Facility > Data > Sync > Register dialog sends, through Kolibri's own API.
        $server = Start-KolibriServer -KolibriHome $KolibriHome -Environment @{ KOLIBRI_DATA_PORTAL_SYNCING_BASE_URL = $PortalUrl }
        $script:Started.Add($server)
        try {
            $base = $server.BaseUrl
            $login = @{ username = 'admin'; password = 'adminpass'; facility = $FixtureFacilityId } | ConvertTo-Json
            $null = Invoke-RestMethod -Uri "$base/api/auth/session/" -Method Post -ContentType 'application/json' -Body $login -SessionVariable web
            $csrf = @{ 'X-CSRFToken' = ($web.Cookies.GetAllCookies() | Where-Object Name -eq 'kolibri_csrftoken').Value }
            $project = Invoke-RestMethod -Uri "$base/api/auth/portal/validate_token/?token=$($script:Token)" -WebSession $web
            $body = @{ facility_id = $FixtureFacilityId; token = $script:Token } | ConvertTo-Json
            $null = Invoke-RestMethod -Uri "$base/api/auth/portal/register/" -Method Post -ContentType 'application/json' -Body $body -WebSession $web -Headers $csrf
            $null = Invoke-RestMethod -Uri "$base/api/auth/facilitydataset/$($script:DatasetId)/" -Method Patch -ContentType 'application/json' -Body '{"registered": true}' -WebSession $web -Headers $csrf
            $project.name
        }
        finally {
            Stop-KolibriServer $server
        }
    }

    function Get-DatasetRow([string] $KolibriHome) {
        Invoke-KolibriShell -KolibriHome $KolibriHome -Python @'
from kolibri.core.auth.models import Facility
d = Facility.objects.get(id="9c9a861ccfe31c98f97cb3d38f9dc039").dataset
print("RESULT", json.dumps({"registered": d.registered, "dirty": d._morango_dirty_bit}))
'@
    }

    # The request as compared: everything but the one-time nonce and its signature, which differ by design.
    function ConvertTo-Comparable($Request, [string] $PortalRoot) {
        $body = $Request.body
        foreach ($field in 'server_nonce', 'signature') {
            $value = $Request.form.$field
            if ($value) { $body = $body.Replace([uri]::EscapeDataString($value).Replace('%20', '+'), "<$field>") }
        }
        [pscustomobject]@{
            Method      = $Request.method
            Path        = $Request.path
            Query       = $Request.query
            ContentType = $Request.contentType
            FormKeys    = $Request.formKeys -join ','
            Body        = $body
        }
    }

    $script:Cases = foreach ($prefix in '/', '/kdp/') {
        $kolibriPortal = Start-CapturePortal $prefix
        $kolibriHome = Copy-KolibriHome
        $project = Invoke-KolibriTokenDialog -KolibriHome $kolibriHome -PortalUrl $kolibriPortal.Url
        $kolibriState = Stop-CapturePortal $kolibriPortal

        $ourPortal = Start-CapturePortal $prefix
        $ourHome = Copy-KolibriHome
        Set-Content (Join-Path $ourHome 'kolibri-standin-scenario.txt') -Value 'success'
        # A refusal by the capture portal is kept for the assertions, which then show which request differed.
        $failure = $result = $null
        try {
            $result = Invoke-PortalSync -Database (Join-Path $ourHome 'db.sqlite3') -Token (ConvertTo-SecureString $script:TypedToken -AsPlainText -Force) -PortalUrl $ourPortal.Url -KolibriCommand $script:StandIn -Confirm:$false -ErrorAction Stop
        }
        catch {
            $failure = $_
        }
        $ourState = Stop-CapturePortal $ourPortal

        [pscustomobject]@{
            Prefix        = $prefix
            Project       = $project
            KolibriState  = $kolibriState
            KolibriHome   = $kolibriHome
            OurState      = $ourState
            OurHome       = $ourHome
            Result        = $result
            Failure       = $failure
            KolibriRow    = Get-DatasetRow $kolibriHome
            OurRow        = Get-DatasetRow $ourHome
        }
    }
}

AfterAll {
    # Pass or fail: every server this file started is stopped by its process id.
    foreach ($started in $script:Started) {
        if ($started.PSObject.Properties['BaseUrl']) { Stop-KolibriServer $started }
        elseif (-not $started.Process.HasExited) { $started.Process.Kill(); $null = $started.Process.WaitForExit(10000) }
    }
}

Describe 'Registration requests compared with Kolibri 0.17.5''s token dialog' {
    It 'under a portal URL <_> sends what Kolibri sends, in the same order and encoding' -ForEach '/', '/kdp/' {
        $case = $script:Cases | Where-Object Prefix -eq $_
        $case.Project | Should -Be 'Nairobi Learning Centres'

        $kolibri = @($case.KolibriState.requests)
        $ours = @($case.OurState.requests)
        # Kolibri's sequence is the reference: validate the token, fetch a nonce, post the registration form.
        $prefix = $_
        @($kolibri | ForEach-Object { "$($_.method) $($_.path)" }) | Should -Be @(
            "GET ${prefix}portal/api/public/v1/registerfacility/validate_token",
            "POST ${prefix}api/morango/v1/nonces/",
            "POST ${prefix}portal/api/public/v1/registerfacility/")
        @($ours | ForEach-Object { "$($_.method) $($_.path)" }) | Should -Be @($kolibri | ForEach-Object { "$($_.method) $($_.path)" })
        for ($i = 0; $i -lt $kolibri.Count; $i++) {
            $expected = ConvertTo-Comparable $kolibri[$i]
            $actual = ConvertTo-Comparable $ours[$i]
            foreach ($property in 'Method', 'Path', 'Query', 'ContentType', 'FormKeys', 'Body') {
                $actual.$property | Should -BeExactly $expected.$property -Because "request $i ($($expected.Method) $($expected.Path)), $property"
            }
        }
        $case.Failure | Should -BeNullOrEmpty
        $case.Result.Registered | Should -BeTrue
    }

    It 'under a portal URL <_> is verified by the capture server for Kolibri and for the module alike' -ForEach '/', '/kdp/' {
        $case = $script:Cases | Where-Object Prefix -eq $_
        foreach ($state in $case.KolibriState, $case.OurState) {
            @($state.rejections) | Should -BeNullOrEmpty
            @($state.registrations).Count | Should -Be 1
            $state.registrations[0].FacilityId | Should -Be $FixtureFacilityId
            $state.registrations[0].Token | Should -Be $script:Token
        }
        $case.OurState.registrations[0].ClientCertificateId | Should -Be $case.KolibriState.registrations[0].ClientCertificateId
    }

    It 'under a portal URL <_> leaves the facility dataset row as Kolibri leaves it' -ForEach '/', '/kdp/' {
        $case = $script:Cases | Where-Object Prefix -eq $_
        $case.KolibriRow.registered | Should -BeTrue
        $case.OurRow.registered | Should -Be $case.KolibriRow.registered
        $case.OurRow.dirty | Should -Be $case.KolibriRow.dirty
    }
}
