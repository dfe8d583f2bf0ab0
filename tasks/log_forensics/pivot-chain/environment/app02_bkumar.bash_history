#1776558315
uptime
#1776558409
tail -n 50 /var/log/syslog
#1776568304
journalctl -u nginx --since today
#1776568410
df -h
#1776570495
uptime
#1776570603
tail -n 50 /var/log/syslog
#1776589004
free -m
#1776589072
df -h
#1776601081
free -m
#1776601124
ls -la /srv
#1776607438
uptime
#1776607531
ls -la /srv
#1776625560
journalctl -u nginx --since today
#1776625580
uptime
#1776656667
journalctl -u nginx --since today
#1776656683
ls -la /srv
#1776658182
tail -n 50 /var/log/syslog
#1776658198
ls -la /srv
#1776680981
uptime
#1776681050
free -m
#1776684602
free -m
#1776684670
ls -la /srv
#1776686085
journalctl -u nginx --since today
#1776686203
df -h
#1776687633
systemctl status app
#1776687739
tail -n 50 /var/log/syslog
#1776695432
systemctl status app
#1776695539
ls -la /srv
#1776726889
uptime
#1776727004
systemctl status app
#1776760818
systemctl status app
#1776760838
free -m
#1776764967
journalctl -u nginx --since today
#1776765028
uptime
#1776794595
journalctl -u nginx --since today
#1776794652
systemctl status app
#1776809596
systemctl status app
#1776809619
journalctl -u nginx --since today
#1776814021
systemctl status app
#1776814106
ls -la /srv
#1776823663
tail -n 50 /var/log/syslog
#1776823776
uptime
#1776892383
free -m
#1776892496
journalctl -u nginx --since today
